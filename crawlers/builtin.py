"""The built-in sources, registered through the same hook as any plugin's."""

from __future__ import annotations

from yuqing.hookspecs import hookimpl

from .sources import SourceSpec
from .spiders.baidu import BaiduWebSpider
from .spiders.discuz import DiscuzSpider
from .spiders.weibo import WeiboSearchSpider
from .spiders.weibo_cn import WeiboCnSpider


@hookimpl
def register_sources() -> list[SourceSpec]:
    return [
        SourceSpec("weibo", WeiboSearchSpider, search=True, description="新浪微博 keyword search (m.weibo.cn JSON)"),
        SourceSpec("baidu", BaiduWebSpider, search=True, description="百度 web search"),
        SourceSpec(
            "weibo-cn",
            WeiboCnSpider,
            search=False,
            description="weibo.cn WAP: profiles and comments (needs the SUB cookie); fallback when m.weibo.cn refuses",
        ),
        SourceSpec("discuz", DiscuzSpider, search=False, description="Discuz! forum: list pages and their threads"),
    ]
