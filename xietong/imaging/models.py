"""The archive's index: patient studies, their series and instances (the files themselves
are in the storage)."""
