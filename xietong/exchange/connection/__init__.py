"""Connection progress (接入进度): every hospital's gateway, whether it is heard from, what it
holds back and what it sent, and how many of a region's level-II+ hospitals are connected."""
