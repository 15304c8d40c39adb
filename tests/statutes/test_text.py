import pytest

from statutes.text import clean_text, heading_line, one_line


class TestOneLine:
    @pytest.mark.parametrize(
        ("stored", "shown"),
        [
            # An imported question written over two lines (LeCoQA): joined as a reader joins them.
            (
                "保管人向第三人放货的，承担违约责任吗？\n向第三人放货",
                "保管人向第三人放货的，承担违约责任吗？向第三人放货",
            ),
            ("赔钱吗？\r\n供水公司管道故障", "赔钱吗？供水公司管道故障"),
            ("承揽人造成第三人损害，定作人会担责吗？\n", "承揽人造成第三人损害，定作人会担责吗？"),
            ("民法\n典", "民法典"),
            ("网贷逾期\t会爆通讯录吗", "网贷逾期会爆通讯录吗"),
            ("个人信息\u2028保护", "个人信息保护"),  # a Unicode line separator is a line break too
            # Between Latin words, or Latin and Chinese, a break is a space.
            ("Hello\nworld", "Hello world"),
            ("iPhone 15\n手机被偷", "iPhone 15 手机被偷"),
            # Chinese writes no space beside its full-width punctuation.
            ("村小组分给我承包土地之后 ，要求我", "村小组分给我承包土地之后，要求我"),
            ("离婚吗？ 财产怎么分", "离婚吗？财产怎么分"),
            ("  最高人民法院  最高人民检察院关于 ", "最高人民法院 最高人民检察院关于"),
            # A separator between parts of a page's title stays as written.
            ("“民法” · 法规库", "“民法” · 法规库"),
            ("网贷\x0b逾期\x00\x1f", "网贷逾期"),
            ("", ""),
        ],
    )
    def test_a_title_is_one_line_as_chinese_is_written(self, stored, shown):
        assert one_line(stored) == shown

    def test_none_is_empty(self):
        assert one_line(None) == ""


def test_clean_text_keeps_lines_and_tabs_and_drops_control_characters():
    assert clean_text("甲\r\n乙\r丙\t丁\x00\x07") == "甲\n乙\n丙\t丁"


def test_a_heading_keeps_the_space_between_its_number_and_its_name():
    assert heading_line("第一章\n总则") == "第一章 总则"
    assert heading_line("第四编  人格权\x1f") == "第四编 人格权"
