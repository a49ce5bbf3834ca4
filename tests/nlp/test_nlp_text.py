from yuqing.nlp.text import clean


def test_unescapes_entities_and_strips_tags() -> None:
    assert clean("&lt;p&gt;星河&amp;nbsp;热水器&lt;/p&gt;") == "星河 热水器"
    assert clean("<div class='x'>好<b>用</b></div>") == "好用"
    assert clean("a &amp;amp; b") == "a & b"


def test_drops_script_and_comments_but_keeps_lone_angle_brackets() -> None:
    assert clean("前<script>var a = 1 < 2;</script>后<!-- ad -->") == "前 后"
    assert clean("价格<100元,>50元") == "价格<100元,>50元"


def test_nfkc_full_width_and_whitespace() -> None:
    assert clean("ＡＢＣ１２３\u3000\u3000全角！") == "ABC123 全角!"
    assert clean("a\u200bb\r\n\r\n  c\t d  ") == "ab\nc d"
    assert clean("<p>第一段</p><p>第二段</p>") == "第一段\n第二段"


def test_keeps_weibo_markup() -> None:
    text = "#星河热水器# @星河客服 漏电了[怒][抓狂] //@路人甲: 转发"
    assert clean(text) == text


def test_traditional_to_simplified() -> None:
    assert clean("熱水器漏電，售後服務太差") == "热水器漏电,售后服务太差"
    assert clean("熱水器", simplify=False) == "熱水器"


def test_idempotent_and_empty() -> None:
    once = clean("<b>ＯＰＰＯ</b> &amp; 華為　手機！！")
    assert clean(once) == once
    assert clean("") == ""
    assert clean("   \n ") == ""
