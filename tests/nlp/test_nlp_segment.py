from pathlib import Path

import pytest

from yuqing.nlp.segment import Segmenter


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jieba")


@pytest.fixture(scope="module")
def brand_seg(cache_dir: Path) -> Segmenter:
    return Segmenter(["星河热水器", "小米SU7", "Apple Watch"], cache_dir=cache_dir)


def test_user_word_kept_whole_and_split_without_it(brand_seg: Segmenter, cache_dir: Path) -> None:
    plain = Segmenter(cache_dir=cache_dir)
    assert "星河热水器" not in plain.cut("星河热水器漏电了")
    assert plain.cut("星河热水器漏电了")[:2] == ["星河", "热水器"]
    assert brand_seg.cut("星河热水器漏电了") == ["星河热水器", "漏电", "了"]


@pytest.mark.parametrize("text", ["买星河热水器", "新星河热水器", "热星河热水器器", "这台星河热水器水器"])
def test_user_word_survives_context(brand_seg: Segmenter, text: str) -> None:
    assert "星河热水器" in brand_seg.cut(text)


def test_latin_and_spaced_user_words(brand_seg: Segmenter) -> None:
    tokens = brand_seg.cut("我的小米su7和apple watch都坏了")
    assert "小米su7" in tokens
    assert "apple watch" in tokens


def test_no_whitespace_tokens_and_weibo_markup(brand_seg: Segmenter) -> None:
    tokens = brand_seg.cut("太差了 [怒][good]\n//@路人甲: 呵呵")
    assert all(t.strip() for t in tokens)
    assert "[怒]" in tokens and "[good]" in tokens
    assert "@路人甲" in tokens


def test_cut_for_search_adds_inner_words(brand_seg: Segmenter) -> None:
    tokens = brand_seg.cut_for_search("星河热水器质量问题")
    assert "星河热水器" in tokens
    assert "热水器" in tokens


def test_lazy_quiet_and_cached_in_cache_dir(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    seg = Segmenter(["星河热水器"], cache_dir=tmp_path / "cache")
    assert seg._tokenizer is None  # construction does not load the dictionary
    assert seg.cut("") == []
    seg.cut("星河热水器")
    assert (tmp_path / "cache" / "jieba.cache").is_file()
    out, err = capfd.readouterr()
    assert "prefix dict" not in out + err


def test_private_tokenizer_does_not_touch_global_jieba(brand_seg: Segmenter) -> None:
    import jieba

    brand_seg.cut("星河热水器")
    assert brand_seg.tokenizer is not jieba.dt
    assert "星河热水器" not in jieba.dt.FREQ


def test_search_expansion_of_cut_words_equals_cut_for_search() -> None:
    """The store indexes ``expand_for_search(cut(text))``: it must be what jieba's
    ``cut_for_search`` gives, without segmenting twice (and twice over, from the cache)."""
    segmenter = Segmenter(["星河热水器"])
    for text in ("星河热水器漏电，客服推诿，我要维权", "中华人民共和国的北京大学", "abc 中华人民共和国中华人民共和国"):
        for _ in range(2):
            assert segmenter.expand_for_search(segmenter.cut(text)) == segmenter.cut_for_search(text)


SAMPLES = (
    "星河热水器漏电了！洗澡的时候手碰到花洒被电了一下，整个人都麻了，客服推诿说是地线问题",
    "今天去了趟王府井，人山人海，张小明说那家店的糖葫芦太好吃了哈哈哈哈",
    "iPhone15 Pro很卡，3.15晚会曝光了C++和C#，100%好评，-_-||",
    "a b\r\nc  \t 中华人民共和国的北京大学。。。！！ＡＢＣ１２３",
    "小米SU7和小米su7，星河热水器星河热水器",
    "",
)


@pytest.mark.parametrize("text", SAMPLES)
def test_accurate_cut_is_jiebas_word_for_word(brand_seg: Segmenter, text: str) -> None:
    """``cut`` runs its own pass over jieba's dictionary and HMM (faster): it must give
    exactly what ``jieba.Tokenizer.cut(text, HMM=True)`` gives, cached runs included."""
    expected = [w for w in brand_seg.tokenizer.cut(text, HMM=True) if w.strip()]
    for _ in range(2):
        assert brand_seg.cut(text) == expected


def test_without_new_words_cut_is_jieba_without_hmm(cache_dir: Path) -> None:
    segmenter = Segmenter(["星河热水器"], cache_dir=cache_dir, new_words=False)
    text = "张小明说星河热水器的糖葫芦太好吃了"
    assert segmenter.cut(text) == [w for w in segmenter.tokenizer.cut(text, HMM=False) if w.strip()]


@pytest.mark.parametrize(
    "run", ["张小明", "哈哈哈哈", "王府井人山人海", "糖葫芦abc123好吃", "一", "的的的的的的的的的", "ab12.5%"]
)
def test_hmm_cut_is_jiebas_finalseg_word_for_word(run: str) -> None:
    from jieba import finalseg

    from yuqing.nlp.segment import HmmCut

    assert HmmCut()(run) == list(finalseg.cut(run))


def test_without_new_words_latin_runs_join_as_in_jieba(cache_dir: Path) -> None:
    segmenter = Segmenter(cache_dir=cache_dir, new_words=False)
    for text in SAMPLES:
        assert segmenter.cut(text) == [w for w in segmenter.tokenizer.cut(text, HMM=False) if w.strip()]
