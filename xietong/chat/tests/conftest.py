from xietong.chat.tests.helpers import admitted

__all__ = ["admitted"]
