"""The administration pages, a module per area: people.py (people, memberships, approvals),
practitioners.py, institutions.py, links.py, and home.py (the /manage/ index). Each view
parses, calls a selector or an audited service of the accounts or directory app, and
renders."""
