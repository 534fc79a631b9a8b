"""Invented people for the demo. The seed names real people, so the demo never uses them."""

from __future__ import annotations

import random

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武洪"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鑫宇浩然欣怡佳琪子涵思远晓东海燕春晖文博雅琴志刚立新亚楠慧敏晨曦国庆卫东永红建华丹婷"
)


class NameMaker:
    def __init__(self, seed: int = 2020):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def name(self) -> str:
        while True:
            given = "".join(self.rng.sample(GIVEN, self.rng.choice([1, 2, 2])))
            full = self.rng.choice(SURNAMES) + given
            if full not in self.used:
                self.used.add(full)
                return full

    def mobile(self) -> str:
        return self.rng.choice(
            ["135", "136", "137", "138", "139", "150", "151", "158", "187", "188"]
        ) + "".join(str(self.rng.randrange(10)) for _ in range(8))
