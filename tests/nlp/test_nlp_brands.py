import pytest
from pydantic import ValidationError

from yuqing.nlp.brands import BrandMatcher, BrandRule
from yuqing.nlp.text import clean


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher(
        [
            BrandRule(name="星河", keywords=["星河热水器", "星河电器", "Xinghe"], exclude=["星河战队"]),
            BrandRule(name="小米", keywords=["小米", "Xiaomi", "MI"], exclude=["小米粥"]),
            BrandRule(name="小米汽车", keywords=["小米汽车", "SU7"]),
            BrandRule(name="OPPO", keywords=["OPPO", "歐珀"]),
        ]
    )


@pytest.mark.parametrize(
    ("text", "brands"),
    [
        ("星河热水器漏电了", ["星河"]),
        ("xinghe 的客服", ["星河"]),
        ("XINGHE和OPPO都不行", ["星河", "OPPO"]),
        ("今晚看星河战队,顺便吐槽星河热水器", []),  # an exclude term vetoes the brand
        ("早上喝了小米粥", []),
        ("小米汽车SU7发布", ["小米", "小米汽车"]),  # overlapping keywords both count
        ("su7 交付了", ["小米汽车"]),
        ("OPPOSITE 不是品牌", []),  # Latin keywords need word edges
        ("mi 11 ultra", ["小米"]),
        ("MIUI 更新", []),
        ("欧珀手机", ["OPPO"]),  # keywords are cleaned like the text (traditional -> simplified)
        ("今天天气不错", []),
    ],
)
def test_match(matcher: BrandMatcher, text: str, brands: list[str]) -> None:
    assert matcher.match(clean(text)) == brands


def test_user_words(matcher: BrandMatcher) -> None:
    words = matcher.user_words()
    assert words[:3] == ["星河热水器", "星河电器", "Xinghe"]
    assert "星河战队" not in words and len(words) == len(set(words))


def test_rule_validation() -> None:
    with pytest.raises(ValidationError):
        BrandRule(name="x", keywords=["  "])
    assert BrandRule(name="x", keywords=[" a "]).exclude == []
    assert BrandMatcher([]).match("anything") == []


def test_many_rules_many_posts_fast() -> None:
    import time

    rules = [BrandRule(name=f"b{i}", keywords=[f"品牌{i}号", f"Brand{i}", f"产品{i}型"]) for i in range(500)]
    matcher = BrandMatcher(rules)
    texts = ["这是一条关于品牌42号和Brand7的普通微博,说了很多别的事情。" * 3] * 2000
    start = time.perf_counter()
    results = [matcher.match(t) for t in texts]
    assert results[0] == ["b7", "b42"]
    assert time.perf_counter() - start < 5.0  # generous: about 0.1 s on a laptop
