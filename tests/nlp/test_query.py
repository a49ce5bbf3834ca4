"""Brand queries: the boolean language, its errors, and brand rules built on it."""

from __future__ import annotations

import time

import pytest

from yuqing.errors import ConfigError
from yuqing.nlp.brands import BrandMatcher, BrandRule
from yuqing.nlp.query import And, Near, Not, Or, QueryError, Term, compile_query, parse
from yuqing.nlp.text import clean
from yuqing.settings import load_settings


def shape(node) -> str:
    """The tree as a compact string: precedence is visible at a glance."""
    if isinstance(node, Term):
        return f'"{node.text}"' if node.literal else node.text
    if isinstance(node, Not):
        return f"NOT({shape(node.child)})"
    if isinstance(node, Near):
        return f"NEAR{node.distance}({shape(node.left)}, {shape(node.right)})"
    name = "AND" if isinstance(node, And) else "OR"
    assert isinstance(node, (And, Or))
    return f"{name}({', '.join(shape(c) for c in node.children)})"


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("a OR b AND c", "OR(a, AND(b, c))"),  # AND binds tighter than OR
        ("a AND b OR c", "OR(AND(a, b), c)"),
        ("NOT a AND b", "AND(NOT(a), b)"),  # NOT binds tighter than AND
        ("NOT a OR b", "OR(NOT(a), b)"),
        ("a b OR c", "OR(AND(a, b), c)"),  # juxtaposition is AND
        ("a NOT b", "AND(a, NOT(b))"),
        ("(a OR b) AND c", "AND(OR(a, b), c)"),
        ("NOT (a OR b)", "NOT(OR(a, b))"),
        ("NOT NOT a", "NOT(NOT(a))"),
        ("a NEAR/3 b", "NEAR3(a, b)"),
        ("a NEAR b", "NEAR10(a, b)"),  # NEAR alone is NEAR/10
        ("NOT a NEAR/2 b", "NOT(NEAR2(a, b))"),  # NEAR binds tighter than NOT
        ("a NEAR/2 b NEAR/5 c", "NEAR5(NEAR2(a, b), c)"),
        ("(a OR b) NEAR/4 c", "NEAR4(OR(a, b), c)"),
        ('"Mi Band" OR "AND"', 'OR("mi band", "and")'),  # phrases, operators quoted, lower-cased
        ("a and b", "AND(a, and, b)"),  # operators are capitals only
        ("“星河 电器” （a OR b）", 'AND("星河 电器", OR(a, b))'),  # curly quotes, full-width parentheses
        ('"say \\"hi\\""', '"say "hi""'),
        ("星河熱水器", "星河热水器"),  # terms are cleaned like the text
    ],
)
def test_precedence_and_syntax(query: str, tree: str) -> None:
    assert shape(parse(query)) == tree


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ("星河 AND", 7, "after 'AND', found the end of the query"),
        ("星河 OR OR 空调", 7, "after 'OR', found 'OR'"),
        ("(星河 OR 空调", 1, "'(' is never closed"),
        ("星河 )", 4, "unexpected ')'"),
        ('星河 "漏电', 4, "unclosed quote"),
        ("星河 NEAR/x 漏电", 4, "NEAR takes a distance in characters"),
        ("星河 NEAR/99999 漏电", 4, "at most 1000"),
        ("星河 NEAR/3 (漏电 AND 爆炸)", 12, "NEAR joins words, phrases"),
        ("星河 NEAR/3 NOT 漏电", 11, "expected a word, a phrase or '('"),
        ("()", 1, "empty parentheses"),
        ('星河 ""', 4, "is empty once cleaned"),
    ],
)
def test_errors_say_where(query: str, column: int, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert info.value.position == column - 1
    assert message in str(info.value) and f"at column {column}" in str(info.value)


@pytest.mark.parametrize(
    ("query", "text", "hit"),
    [
        ("星河 AND 漏电", "星河热水器又漏电了", True),
        ("星河 AND 漏电", "星河热水器很好用", False),
        ("星河 NOT 星河战队", "星河战队真好看", False),
        ("星河 NOT 星河战队", "星河的空调", True),
        ("星河 NEAR/3 漏电", "星河热水器漏电", True),  # 3 characters between
        ("星河 NEAR/2 漏电", "星河热水器漏电", False),
        ("星河 NEAR/3 漏电", "漏电的星河", True),  # either order
        ("星河 NEAR/3 漏电", "漏电了，我说的是星河", False),
        ("(空调 OR 热水器) NEAR/0 (漏电 OR 漏水)", "热水器漏水", True),
        ("(空调 OR 热水器) NEAR/0 (漏电 OR 漏水)", "空调很好 没有漏水", False),
        ("星河 NEAR/2 热水器 NEAR/2 漏电", "星河牌热水器会漏电", True),
        ("星河 NEAR/2 热水器 NEAR/2 漏电", "星河牌热水器这次又会漏电", False),
        ('"mi band"', "新买的 Mi Band 坏了", True),
        ('"mi band"', "mi 的 band", False),
        ("OPPO", "OPPOSITE 不是品牌", False),  # Latin terms keep word edges
        ("OPPO", "oppo reno 发布", True),
        ("315", "12315 投诉", False),  # numbers too
        ("315", "今年 315 晚会", True),
        ("iPhone", "iPhone15 发热", True),
        ("星河熱水器 AND 漏電", "星河热水器漏电", True),  # traditional in the query, simplified text
    ],
)
def test_matching(query: str, text: str, hit: bool) -> None:
    assert compile_query(query).search(clean(text)) is hit


def test_triggers_are_the_words_a_match_needs() -> None:
    assert compile_query("星河 AND (漏电 OR 爆炸)").triggers == {"星河"}  # the smaller AND side
    assert compile_query("星河 OR 小米").triggers == {"星河", "小米"}
    assert compile_query("星河 NOT 战队").triggers == {"星河"}
    assert compile_query("NOT 战队").triggers is None
    assert compile_query("星河 OR NOT 战队").triggers is None


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher(
        [
            # the name and aliases stand for every brand word in the query; quotes mean the word only
            BrandRule(
                name="星河电器",
                keywords=["星河电器", "星河空调", "星河热水器"],
                aliases=["星河", "Xinghe"],
                exclude=["星河战队"],
                query="星河电器 AND (漏电 OR 爆炸 OR 异响)",
            ),
            BrandRule(name="小米", keywords=["小米", "Xiaomi"], exclude=["小米粥"]),  # no query: any keyword
            BrandRule(name="小米汽车", query='"SU7" OR 小米 NEAR/2 汽车', keywords=[]),
            BrandRule(name="东方家电", aliases=["东方"], query='"东方" NEAR/1 家电 OR "东方家电" NEAR/8 爆炸'),
        ]
    )


@pytest.mark.parametrize(
    ("text", "brands"),
    [
        ("星河空调异响", ["星河电器"]),  # the name in the query stands for the product keyword too
        ("xinghe 的热水器漏电了", ["星河电器"]),  # and for its aliases, in any case
        ("星河热水器很好用", []),  # a brand word, but the query wants trouble
        ("星河战队里的星河会爆炸", []),  # an exclusion vetoes the brand whatever the query says
        ("早上喝了小米粥,小米手机漏电", []),
        ("XIAOMI 新品", ["小米"]),
        ("小米的汽车和 SU7", ["小米", "小米汽车"]),
        ("su7 交付", ["小米汽车"]),
        ("东方 家电爆炸", ["东方家电"]),
        ("东方的电视机爆炸了", []),  # quoted: "东方家电" is not expanded to the alias 东方
        ("东方家电昨晚仓库爆炸", ["东方家电"]),
        ("今天天气不错", []),
    ],
)
def test_brand_rules(matcher: BrandMatcher, text: str, brands: list[str]) -> None:
    assert matcher.match(clean(text)) == brands


def test_user_words_are_keywords_and_aliases(matcher: BrandMatcher) -> None:
    words = matcher.user_words()
    assert {"星河电器", "星河空调", "星河", "Xinghe", "小米", "东方"} <= set(words)
    assert "漏电" not in words and "星河战队" not in words


def test_a_bad_query_is_one_config_error_line_with_its_column(tmp_path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[brands]]\nname = "星河电器"\nquery = "星河 AND (漏电 OR"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config, data_dir=tmp_path)
    message = str(info.value)
    assert "\n" not in message and "brands.0" in message and "column 14" in message
    only_not = tmp_path / "n.toml"
    only_not.write_text('[[brands]]\nname = "星河电器"\nquery = "NOT 星河战队"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="name none of its words"):
        load_settings(only_not, data_dir=tmp_path)


def test_settings_keep_keyword_brands_working(tmp_path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        brands=[
            {"name": "星河电器", "keywords": ["星河空调"], "aliases": ["星河"], "exclude": ["星河战队"]},
            {"name": "东方家电", "query": "东方家电 NEAR/5 (漏电 OR 爆炸)"},
        ],
    )
    assert settings.brand_words() == ["星河电器", "星河", "星河空调", "东方家电"]
    assert settings.brand_terms() == ["星河电器", "星河空调", "东方家电"]  # what search sources ask
    matcher = BrandMatcher([b.rule() for b in settings.brands])
    assert matcher.match("星河的客服") == ["星河电器"]
    assert matcher.match("东方家电漏电") == ["东方家电"] and matcher.match("东方家电很好") == []


def test_many_query_rules_stay_fast() -> None:
    rules = [
        BrandRule(
            name=f"b{i}",
            keywords=[f"品牌{i}号"],
            aliases=[f"Brand{i}"],
            query=f"b{i} AND (质量 OR 投诉 OR 产品{i}型 NEAR/5 故障) NOT 广告{i}",  # b{i}: any brand word
        )
        for i in range(500)
    ]
    matcher = BrandMatcher(rules)
    texts = ["这是一条关于品牌42号和Brand7的投诉微博,说了很多别的事情。" * 3] * 2000
    start = time.perf_counter()
    results = [matcher.match(t) for t in texts]
    assert results[0] == ["b7", "b42"]
    assert time.perf_counter() - start < 5.0  # generous: about 0.15 s on a laptop
