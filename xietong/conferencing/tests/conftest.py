from xietong.conferencing.tests.helpers import admitted

__all__ = ["admitted"]
