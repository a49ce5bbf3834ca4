import pytest

from yuqing.crawlers.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://BBS.Example.com/forum.php?tid=5&mod=viewthread",
            "https://bbs.example.com/forum.php?mod=viewthread&tid=5",
        ),
        (
            "https://weibo.com/1618051664/Oe6wIynDn?refer_flag=1001030103_&utm_source=x",
            "https://weibo.com/1618051664/Oe6wIynDn",
        ),
        (
            "https://m.weibo.cn/detail/4383183661430868#4383190000000000",
            "https://m.weibo.cn/detail/4383183661430868#4383190000000000",
        ),
        ("https://tieba.baidu.com/p/9117905169?pid=1&cid=0#1", "https://tieba.baidu.com/p/9117905169?cid=0&pid=1#1"),
        (
            "https://www.baidu.com/s?wd=星河电器&spm=a",
            "https://www.baidu.com/s?wd=%E6%98%9F%E6%B2%B3%E7%94%B5%E5%99%A8",
        ),
        ("file:///tmp/page.html", "file:///tmp/page.html"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical
