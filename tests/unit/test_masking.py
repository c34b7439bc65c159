from oms_client.masking import mask_address, mask_name, mask_phone, mask_phones_in_text


def test_names_keep_only_the_surname() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_name("  ") == ""


def test_mobile_numbers_keep_the_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "****5678"
    assert mask_phone("12") == "****"


def test_addresses_stop_at_the_district() -> None:
    assert mask_address("浙江省", "杭州市", "西湖区") == "浙江省杭州市西湖区"
    assert mask_address("上海市", "上海市", "浦东新区") == "上海市浦东新区"


def test_phone_numbers_in_free_text_are_masked_for_logs() -> None:
    assert (
        mask_phones_in_text("我电话13812345678，订单4102938475610293847")
        == "我电话138****5678，订单4102938475610293847"
    )
