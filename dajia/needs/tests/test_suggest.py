"""The suggestion core (no database): accuracy on the labelled needs, learning, keywords, similarity."""

import subprocess
import sys
from collections import Counter

from dajia.needs.bench import bench_suggest, load_labelled
from dajia.needs.suggest import (
    CategoryWords,
    Suggester,
    default_categories,
    default_suggester,
    parse_keywords,
    similar,
    tokenize,
)


def test_the_labelled_set_is_big_varied_and_covers_every_category():
    items = load_labelled()
    assert len(items) >= 200
    per = Counter(i.code for i in items)
    assert set(per) == {c.code for c in default_categories()}
    assert min(per.values()) >= 15
    assert len({i.text for i in items}) == len(items)
    # Not a keyword-matching exercise: many needs hold none of the default keywords verbatim.
    keywords = {w for c in default_categories() for w in c.keywords}
    without = [i for i in items if not any(k in i.text for k in keywords)]
    assert len(without) >= len(items) * 0.4


def test_the_suggestion_is_right_for_at_least_80_percent_of_the_labelled_needs():
    figures = bench_suggest()
    print(f"\ncategory suggestion: {figures['correct']}/{figures['labelled']} = {figures['accuracy']:.1%}")
    assert figures["labelled"] >= 200
    assert figures["accuracy"] >= 0.80
    assert figures["accuracy"] == figures["correct"] / figures["labelled"]


def test_the_starter_vocabulary_matters_and_the_held_out_part_is_reported():
    figures = bench_suggest()
    assert figures["keywords_only_accuracy"] < figures["accuracy"]
    assert figures["held_out_labelled"] >= 50
    assert figures["held_out_accuracy"] >= 0.70


def test_the_seed_examples():
    s = default_suggester()
    assert s.suggest("希望组织消防安全培训，车间新员工多").code == "safety"
    assert s.suggest("孩子暑假没人照看，希望办小候鸟班").code == "children"
    assert s.suggest("工资被拖欠两个月，想咨询法律").code == "legal"
    assert s.suggest("今天天气不错") is None


def test_the_office_keywords_drive_the_suggestion():
    cats = default_categories()
    text = "希望组织职工学做面包蛋糕"
    assert default_suggester().suggest(text).code == "skills"
    edited = [
        CategoryWords(c.code, c.name, (*c.keywords, "面包蛋糕") if c.code == "culture" else c.keywords)
        for c in cats
    ]
    assert Suggester(edited).suggest(text).code == "culture"


def test_corrections_teach_later_suggestions():
    text = "食堂的菜越来越贵，一线工人吃不起"
    assert default_suggester().suggest(text) is None or default_suggester().suggest(text).code != "hardship"
    learned = [(tokenize("食堂饭菜太贵，工人吃不起，希望给餐补"), "hardship")]
    taught = Suggester(default_categories(), learned)
    assert taught.suggest(text).code == "hardship"
    assert ("吃不起", 0.75) in taught.learned_words("hardship")


def test_a_word_seen_everywhere_in_corrections_pulls_nowhere():
    learned = [
        (["车间", f"词{i}"], code)
        for i, code in enumerate(["culture", "safety", "legal", "mental", "health"])
    ]
    taught = Suggester(default_categories(), learned)
    weights = dict(taught.learned_words("culture"))
    assert weights["车间"] < weights["词0"]


def test_keywords_are_one_per_line_and_forgiving():
    assert parse_keywords("消防\n 急救 \n\n消防，AED、演练") == ("消防", "急救", "aed", "演练")


def test_the_core_imports_no_django():
    code = "import sys, dajia.needs.suggest, dajia.needs.bench; assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


REAL_PAIRS = [
    ("食堂饭菜太贵了，希望能改善一下", "食堂的饭菜价格太贵，能不能改善"),
    ("孩子暑假没人照看，希望办小候鸟班", "暑假孩子没人带，能不能办个小候鸟班"),
    ("工资被拖欠两个月，想咨询法律", "老板拖欠工资两个月了，想找律师咨询"),
    ("希望组织消防安全培训，车间新员工多", "车间新员工多，想搞一次消防安全培训"),
    ("厂里男多女少，希望组织单身青年联谊活动", "希望工会办个联谊活动，我们厂单身青年找对象难"),
]
OTHERS = ["颈椎不舒服，希望请医生来讲讲", "想考叉车证", "退休职工想学智能手机", "希望开通心理咨询热线"]


def test_similar_finds_each_real_near_copy_first():
    docs = [(f"a{i}", tokenize(a)) for i, (a, _b) in enumerate(REAL_PAIRS)]
    docs += [(f"o{i}", tokenize(t)) for i, t in enumerate(OTHERS)]
    for i, (_a, b) in enumerate(REAL_PAIRS):
        matches = similar(tokenize(b), docs)
        assert matches and matches[0].key == f"a{i}", b


def test_similar_ignores_unrelated_needs():
    docs = [(i, tokenize(t)) for i, t in enumerate(OTHERS)]
    assert similar(tokenize("工资被拖欠两个月，想咨询法律"), docs) == []
