"""The referral pages: lists, the up-referral form, the detail page with its actions."""
