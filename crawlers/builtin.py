"""The built-in sources, registered through the same hook as any plugin's."""

from __future__ import annotations

from yuqing.hookspecs import hookimpl

from .sources import SourceSpec
from .spiders.baidu import BaiduWebSpider
from .spiders.baidu_news import BaiduNewsSpider
from .spiders.discuz import DiscuzSpider
from .spiders.forum import ForumSpider
from .spiders.tieba import TiebaSpider
from .spiders.weibo import WeiboSearchSpider
from .spiders.weibo_cn import WeiboCnSpider


@hookimpl
def register_sources() -> list[SourceSpec]:
    return [
        SourceSpec("weibo", WeiboSearchSpider, search=True, description="新浪微博 keyword search (m.weibo.cn JSON)"),
        SourceSpec("baidu", BaiduWebSpider, search=True, description="百度 web search"),
        SourceSpec("baidu-news", BaiduNewsSpider, search=True, description="百度 news search (tn=news)"),
        SourceSpec("tieba", TiebaSpider, search=True, description="百度贴吧: keyword search, or kw:<吧名> forum lists"),
        SourceSpec(
            "weibo-cn",
            WeiboCnSpider,
            search=False,
            description="weibo.cn WAP: profiles and comments (needs the SUB cookie); fallback when m.weibo.cn refuses",
        ),
        SourceSpec("discuz", DiscuzSpider, search=False, description="Discuz! forum: list pages and their threads"),
        SourceSpec("forum", ForumSpider, search=False, description="any forum, read with CSS/XPath selectors"),
    ]
