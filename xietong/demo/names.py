"""Pools the demo draws invented Chinese names from: people, places, hospitals.
Nothing here names a real person or a real hospital."""

from __future__ import annotations

import random

# The commonest surnames, roughly in order, repeated by weight so draws look plausible.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅"
    "沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)

GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国志文博晨阳峰振海"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕萍红琳颖雪慧莉倩婷晶欣悦琪璐佳瑶梅兰雅馨蕾薇琴月荣洁玉彤"
GIVEN_ANY = "子一思若嘉宏家云新永春秋立德安心晓世天少怡"

# Syllables for invented place names; the pairs rarely form a real county's name.
PLACE_FIRST = (
    "清永长新平宁丰富康泰和兴华明昌顺德仁乐广福盛嘉瑞吉祥宜汝淇洹伊嵩桐柏槐杏松竹云青白金玉"
)
PLACE_SECOND = "川丘城水山原陵安河泉溪林桥湖津岭坪台塘湾岗集店营寨"
VILLAGE_SECOND = "庄村营屯寨洼沟湾坡岗集店园堡"


def person_name(rng: random.Random, sex: str) -> str:
    """A two- or three-character name; sex is "M" or "F"."""
    pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.35:
        return surname + rng.choice(pool)
    return surname + rng.choice(GIVEN_ANY + pool) + rng.choice(pool)


class PlaceNames:
    """Draws place names that are unique within one parent region."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, suffix: str, second: str = PLACE_SECOND) -> str:
        for _attempt in range(200):
            name = self.rng.choice(PLACE_FIRST) + self.rng.choice(second) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        # A crowded parent: a three-character name rather than looping for ever.
        while True:
            name = (
                self.rng.choice(PLACE_FIRST)
                + self.rng.choice(PLACE_FIRST)
                + self.rng.choice(second)
                + suffix
            )
            if name not in self.used:
                self.used.add(name)
                return name
