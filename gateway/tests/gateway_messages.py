"""Real-looking HIS messages for the gateway's tests (synthetic people, no real data)."""

from __future__ import annotations

INSTITUTION = "H330100001"


def adt_a01(control: str = "ADT0001", mrn: str = "0012345", charset: str = "GB18030") -> bytes:
    text = "\r".join(
        [
            f"MSH|^~\\&|HIS|杭州市第一人民医院|XT-GW|XT|20261201083000||ADT^A01^ADT_A01|{control}|P|2.5"
            f"||||||{charset}",
            "EVN|A01|20261201083000",
            # PID-3 repeats: the MRN and the resident ID; PID-11 carries an escaped "|".
            f"PID|1||{mrn}^^^HZ1^MR~33010219800101002X^^^^NNCHN||王^小明^^^^^L||19800101|M|||"
            "文三路\\F\\90号^^杭州市^浙江省^310012^CHN^^^西湖区||0571-88886666~13900001111",
            "PV1|"
            + "|".join(
                ["1", "I", "心内科病区^0302^02", "", "", "", "D001^李^医生", "", "", "心内科"]
                + [""] * 8
                + [f"V{mrn}01"]
                + [""] * 24
                + ["20261201080000"]
            ),
            "DG1|1|I10|I10^原发性高血压^I10|原发性高血压|20261201083000|F",
            "DG1|2||HIS-0042^冠心病^^I25.1^慢性缺血性心脏病^I10||20261201083000|W",
        ]
    )
    return text.encode("gb18030" if charset.startswith("GB") or not charset else "utf-8")


def oru_r01(control: str = "LAB0001", mrn: str = "0012345", potassium: str = "5.8") -> bytes:
    text = "\r".join(
        [
            f"MSH|^~\\&|LIS|检验科|XT-GW|XT|20261202101500||ORU^R01^ORU_R01|{control}|P|2.5"
            "||||||GB18030",
            f"PID|1||{mrn}^^^HZ1^MR||王^小明||19800101|M",
            f"OBR|1|ORD{control}|R{control}|BMP^基础代谢组合^L|||20261202083000|||||||||||||"
            "||20261202101000|||F",
            f"OBX|1|NM|2823-3^钾^LN^K^血钾^L||{potassium}|mmol/L|3.5-5.5|H|||F|||20261202083000",
            "OBX|2|NM|2951-2^钠^LN||140|mmol/L|137-147|N|||F",
            "OBX|3|ST|GLU-REM^备注^L||标本轻度溶血\\T\\已复查~结果可靠||||||F",
        ]
    )
    return text.encode("gb18030")


def orm_o01(control: str = "ORD0001", mrn: str = "0012345", order_control: str = "NW") -> bytes:
    """Two orders in one message: a CT scan (stat) and a blood count, with the visit."""
    text = "\r".join(
        [
            f"MSH|^~\\&|HIS|杭州市第一人民医院|XT-GW|XT|20261203091500||ORM^O01^ORM_O01|{control}|P|2.5"
            "||||||GB18030",
            f"PID|1||{mrn}^^^HZ1^MR||王^小明||19800101|M",
            "PV1|1|O|" + "|" * 16 + f"V{mrn}02",
            f"ORC|{order_control}|CT20261203001|F77001||||^^^^^S||20261203091000|||D002^张^医生",
            "OBR|1|CT20261203001||CT-HEAD^头颅CT平扫^L|||||||||胸闷\\R\\头痛待查|||||||||||CT",
            f"ORC|{order_control}|LAB20261203002|||||^^^^^R||20261203091000|||D002^张^医生",
            "OBR|2|LAB20261203002||58410-2^血常规^LN^CBC^血常规五分类^L||||||||||||||||||||LAB",
        ]
    )
    return text.encode("gb18030")
