import pytest

from statutes.numerals import (
    MAX_NUMBER,
    chinese_to_int,
    format_key,
    format_label,
    int_to_chinese,
    parse_key,
    parse_label,
)


class TestRoundTrip:
    def test_every_number_from_1_to_9999_survives_writing_and_reading(self):
        for number in range(1, MAX_NUMBER + 1):
            assert chinese_to_int(int_to_chinese(number)) == number

    def test_every_number_has_its_own_spelling(self):
        spellings = {int_to_chinese(number) for number in range(1, MAX_NUMBER + 1)}
        assert len(spellings) == MAX_NUMBER

    def test_every_label_and_key_survive_writing_and_reading(self):
        for number in range(1, MAX_NUMBER + 1):
            for suffix in (0, 1, 6):
                assert parse_label(format_label(number, suffix)) == (number, suffix)
                assert parse_key(format_key(number, suffix)) == (number, suffix)


class TestWriting:
    @pytest.mark.parametrize(
        ("number", "expected"),
        [
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (253, "二百五十三"),
            (1000, "一千"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1032, "一千零三十二"),
            (1100, "一千一百"),
            (1260, "一千二百六十"),
            (9999, "九千九百九十九"),
        ],
    )
    def test_canonical_spelling(self, number, expected):
        assert int_to_chinese(number) == expected

    @pytest.mark.parametrize("number", [0, -1, 10000, 1.5, "12"])
    def test_refuses_numbers_outside_the_statute_range(self, number):
        with pytest.raises(ValueError):
            int_to_chinese(number)


class TestReading:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("一十一", 11),
            ("十一", 11),
            ("两百", 200),
            ("一〇〇一", None),
            ("一千〇三十二", 1032),
            ("1032", 1032),
        ],
    )
    def test_accepts_common_variants(self, text, expected):
        if expected is None:
            with pytest.raises(ValueError):
                chinese_to_int(text)
        else:
            assert chinese_to_int(text) == expected

    @pytest.mark.parametrize(
        "text", ["", "零", "一一", "十百", "百", "一百零零一", "三万", "abc", "0", "10000", "一十一百"]
    )
    def test_refuses_malformed_numerals(self, text):
        with pytest.raises(ValueError):
            chinese_to_int(text)


class TestLabels:
    @pytest.mark.parametrize(
        ("label", "expected"),
        [
            ("第二百五十三条之一", (253, 1)),
            ("第一百二十条之六", (120, 6)),
            ("第一千零三十二条", (1032, 0)),
            ("第1032条", (1032, 0)),
            ("第 253 条之 1", (253, 1)),
        ],
    )
    def test_parse_label(self, label, expected):
        assert parse_label(label) == expected

    @pytest.mark.parametrize(
        "label", ["第条", "一千零三十二条", "第一千零三十二款", "第二百五十三条之", "第零条"]
    )
    def test_refuses_what_is_not_a_label(self, label):
        with pytest.raises(ValueError):
            parse_label(label)

    def test_format_label_and_key(self):
        assert format_label(253, 1) == "第二百五十三条之一"
        assert format_key(253, 1) == "253-1"
        assert format_key(1032) == "1032"

    @pytest.mark.parametrize("key", ["0", "01", "253-0", "253-", "12345", "a", "1-2-3"])
    def test_parse_key_refuses_keys_it_cannot_write(self, key):
        with pytest.raises(ValueError):
            parse_key(key)
