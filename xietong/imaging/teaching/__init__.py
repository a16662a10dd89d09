"""Teaching files: de-identified copies of studies, for courses and case discussions."""
