"""The consultation pages: the request side and inboxes, and the workspace."""
