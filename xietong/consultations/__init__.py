"""Remote consultation (远程会诊): request → quality check → triage → the expert's answer →
(real-time: a booked slot) → the signed opinion → acknowledgement and rating.

For pages and other apps:
- workflow.py: the one transition table, `allowed_actions(state)`, `fhir_status(state)`.
- services: `consultation_<verb>(*, actor, consultation, ...)`, one per transition; each
  locks the row, checks the table, audits, adds a timeline event and notifies the parties.
  A refused action raises Conflict (409) saying why; bad input ValidationFailed (422).
- selectors.py: `consultations_for` (scopes "requests", "queue", "qc", "triage"; filters;
  `is_overdue` on each row), `get_consultation_for`, `consultation_timeline`,
  `consultation_opinions`, `consultation_assignments`, `today_board`.
- chat.py: `consultation_thread` for the workspace's chat; pdf.py: `opinion_pdf`.
- deadlines.py / tasks.py / `manage.py consultation_deadlines`: deadline alerts.
- fhir.py: ServiceRequest and Task resources, served read-only under /fhir/R4/.
"""
