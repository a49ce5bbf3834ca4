from __future__ import annotations

import pytest

from yuqing.nlp.segment import Segmenter


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    return Segmenter(user_words=["星河电器", "星河热水器", "星河空调"])
