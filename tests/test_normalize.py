"""core.normalize: what people type, made comparable; a reason someone must give, checked."""

import pytest
from django.core.exceptions import ValidationError

from liangxin.core import normalize


def test_text_folds_full_width_and_spaces_and_prose_keeps_chinese_punctuation():
    assert normalize.text("　ＡＢ１２  上海\u3000市 ") == "AB12 上海 市"
    assert normalize.prose("　情况属实，（已核）  ") == "情况属实，（已核）"
    assert normalize.code(" 91310101-ma1fpx0003 ") == "91310101MA1FPX0003"


def test_a_reason_is_its_words_on_one_line_up_to_the_limit():
    assert normalize.reason("  材料\n不全，  请补充 ", "退回理由", 20) == "材料 不全， 请补充"
    assert normalize.reason("五个字够了", "退回理由", 5) == "五个字够了"  # exactly the limit


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "撤下理由：必填"),
        (" \u3000\n ", "撤下理由：必填"),
        ("六个字的理由", "撤下理由：不能超过 5 个字（现有 6 个）"),
    ],
)
def test_an_empty_or_long_reason_is_refused_in_chinese_under_its_field(value, message):
    with pytest.raises(ValidationError) as refused:
        normalize.reason(value, "撤下理由", 5)
    assert refused.value.message_dict == {"reason": [message]}
