"""Which category an answer belongs in, from the provisions it cites.

Each cited provision votes for one category: by the part (编), sub-part and chapter of 民法典 it
stands in, or by its law's title; the category with most votes wins, the first cited on a tie;
an answer that cites nothing the rules know goes to 综合. The rules are read top to bottom, the
first that fits decides.
"""

from dataclasses import dataclass

from statutes.citations import plain_title
from statutes.models import Provision

from .models import Category


@dataclass(frozen=True)
class Kind:
    slug: str
    name: str
    order: int


FAMILY = Kind("family", "婚姻家庭", 3)
LABOUR = Kind("labor", "劳动用工", 2)
FINANCE = Kind("finance-debt", "金融债务", 1)
CONSUMER = Kind("consumer", "消费维权", 4)
TRAFFIC = Kind("traffic", "交通事故", 5)
PRIVACY = Kind("privacy", "个人信息", 6)
CONTRACTS = Kind("contracts", "合同纠纷", 7)
PROPERTY = Kind("property", "房产物业", 8)
TORTS = Kind("torts", "侵权赔偿", 9)
CRIMINAL = Kind("criminal", "刑事犯罪", 10)
IP = Kind("intellectual-property", "知识产权", 11)
BUSINESS = Kind("business", "公司经营", 12)
ADMINISTRATIVE = Kind("administrative", "行政事务", 13)
LITIGATION = Kind("litigation", "诉讼程序", 14)
CIVIL = Kind("civil", "民事权利", 15)
GENERAL = Kind("general", "综合", 99)

# 民法典, by where the provision stands: (part, sub-part or chapter containing …, category).
CIVIL_CODE_RULES = [
    ("婚姻家庭", "", FAMILY),
    ("继承", "", FAMILY),
    ("人格权", "隐私权和个人信息保护", PRIVACY),
    ("人格权", "", TORTS),
    ("侵权责任", "机动车交通事故责任", TRAFFIC),
    ("侵权责任", "", TORTS),
    ("物权", "担保物权", FINANCE),
    ("物权", "", PROPERTY),
    ("合同", "借款合同", FINANCE),
    ("合同", "保证合同", FINANCE),
    ("合同", "租赁合同", PROPERTY),
    ("合同", "物业服务合同", PROPERTY),
    ("合同", "", CONTRACTS),
    ("总则", "", CIVIL),
]
# Other laws, by words of their title (without 中华人民共和国).
TITLE_RULES = [
    (("婚姻", "继承", "收养", "家庭暴力", "未成年人"), FAMILY),
    (("劳动", "社会保险", "工伤", "就业"), LABOUR),
    (("民间借贷", "担保", "借贷", "商业银行", "保险", "票据", "融资租赁"), FINANCE),
    (("消费者", "产品质量", "食品", "药品", "旅游", "电子商务", "广告", "消费"), CONSUMER),
    (("道路交通", "交通事故", "机动车", "铁路"), TRAFFIC),
    (("个人信息", "网络安全", "电信", "数据安全"), PRIVACY),
    (("刑法", "刑事", "盗窃", "诈骗"), CRIMINAL),
    (("商标", "著作权", "专利", "信息网络传播权", "知识产权", "计算机软件"), IP),
    (("公司", "合伙企业", "个体工商户", "企业破产", "证券", "市场主体"), BUSINESS),
    (("土地", "房地产", "物业", "房屋", "建筑物", "征收", "不动产"), PROPERTY),
    (("建设工程", "合同"), CONTRACTS),
    (("民事诉讼", "证据", "仲裁", "执行"), LITIGATION),
    (("行政", "政府信息公开", "国家赔偿", "治安管理", "教育", "村民委员会"), ADMINISTRATIVE),
    (("医疗", "环境", "侵权", "精神损害"), TORTS),
    (("民法典", "民法"), CIVIL),
]


def kind_of(provision: Provision) -> Kind:
    title = plain_title(provision.law.title)
    if title == "民法典":
        for part, within, kind in CIVIL_CODE_RULES:
            if part in provision.part and within in f"{provision.subpart} {provision.chapter}":
                return kind
    for words, kind in TITLE_RULES:
        if any(word in title for word in words):
            return kind
    return GENERAL


def kind_for(provisions: list[Provision]) -> Kind:
    """The category most of the provisions vote for; the first cited on a tie; 综合 without any."""
    votes: dict[Kind, int] = {}
    for provision in provisions:
        kind = kind_of(provision)
        votes[kind] = votes.get(kind, 0) + 1
    if not votes:
        return GENERAL
    return max(votes, key=votes.get)  # dicts keep order: the first cited wins a tie


def category(kind: Kind) -> Category:
    """The category row for a kind, made when missing; an existing one keeps what editors set."""
    return Category.objects.get_or_create(slug=kind.slug, defaults={"name": kind.name, "order": kind.order})[
        0
    ]
