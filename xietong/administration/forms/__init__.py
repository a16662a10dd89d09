"""The administration pages' forms, a module per area: people.py (people and memberships),
institutions.py, practitioners.py, links.py; fields.py holds the pickers they share."""
