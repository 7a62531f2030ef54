"""Vocabulary of the demo city: skills, occupations, sectors, names and provinces.

Skill names are canonical: each skill has one Chinese and one English spelling
(:data:`SKILLS`), both of which name the same skill in the matcher's vocabulary
(``matcher/data/skills.yaml``); a demo posting or profile uses one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.reference.districts import DISTRICTS

SKILLS: dict[str, str] = {  # Chinese -> English; both resolve in matcher/data/skills.yaml
    "叉车证": "forklift license", "叉车": "forklift", "B2驾照": "truck license",
    "C1驾照": "driving license", "仓库管理": "warehouse management", "仓储管理系统": "WMS",
    "分拣": "sorting", "打包": "packing", "装卸": "loading and unloading",
    "快递": "package delivery", "外卖配送": "food delivery", "电动车驾驶": "e-bike",
    "扫码枪": "PDA", "设备操作": "machine operation", "流水线": "production line",
    "洁净车间": "cleanroom", "质量检验": "quality inspection", "电气维修": "electrical maintenance",
    "电工证": "electrician license", "缝纫": "sewing", "收银": "cashier", "理货": "merchandising",
    "食品安全": "food safety", "切配": "food prep", "健康证": "health certificate",
    "烹饪": "cooking", "客服": "customer service", "普通话": "Mandarin", "英语": "English",
    "Excel": "Excel", "打字": "typing", "沟通能力": "communication skills", "保洁": "cleaning",
    "消杀": "disinfection", "保安": "security guard", "保安员证": "security guard license",
    "养老护理": "elderly care", "养老护理员证": "elderly care certificate", "销售": "sales",
    "电商运营": "e-commerce operations", "数据库": "SQL", "Python": "Python", "Linux": "Linux",
    "吃苦耐劳": "hard working",
}
SKILL_ZH: dict[str, str] = {en: zh for zh, en in SKILLS.items()}


def skill_en(name: str) -> str:
    """The English spelling of a canonical Chinese skill name."""
    return SKILLS[name]


@dataclass(frozen=True)
class Occupation:
    """A job with bilingual title and duties, skills (Chinese names) and a monthly wage band."""

    key: str
    title_zh: str
    title_en: str
    duty_zh: str
    duty_en: str
    required: tuple[str, ...]
    preferred: tuple[str, ...]
    wage: tuple[int, int]  # yuan per month


def _o(key: str, zh: str, en: str, duty_zh: str, duty_en: str, req: str, pref: str,
       low: int, high: int) -> Occupation:
    return Occupation(key, zh, en, duty_zh, duty_en, tuple(req.split()), tuple(pref.split()),
                      (low, high))


OCCUPATIONS: dict[str, Occupation] = {o.key: o for o in (
    _o("mask_operator", "口罩机操作工", "Mask machine operator", "操作口罩生产线，调试耳带焊接",
       "run the mask production line and tune ear-loop welding", "设备操作 流水线",
       "洁净车间 电气维修", 5500, 7500),
    _o("suit_sewer", "防护服缝纫工", "Protective suit sewer", "缝制医用防护服，计件工资",
       "sew medical protective suits, piece-rate pay", "缝纫", "质量检验", 6000, 9000),
    _o("cleanroom_worker", "无菌车间普工", "Cleanroom production worker",
       "在十万级洁净车间完成组装和包装", "assemble and pack in a class-100,000 cleanroom",
       "洁净车间 流水线", "打包", 5000, 6500),
    _o("qc_inspector", "质检员", "Quality inspector", "按标准抽检口罩和防护服",
       "sample-test masks and protective suits against the standard", "质量检验", "Excel",
       6000, 8000),
    _o("electrician", "设备维修电工", "Maintenance electrician", "维护生产线电气设备",
       "maintain the electrical equipment of production lines", "电工证 电气维修", "设备操作",
       8000, 12000),
    _o("stocker", "超市理货员", "Supermarket stocker", "补货上架，整理陈列，盘点库存",
       "restock shelves, arrange displays and count stock", "理货", "收银 吃苦耐劳", 4500, 5500),
    _o("cashier", "收银员", "Cashier", "负责收银和会员服务", "run the till and serve members",
       "收银", "客服 普通话", 4500, 5500),
    _o("fresh_sorter", "生鲜分拣员", "Fresh produce sorter", "分拣称重生鲜商品，保障社区配送",
       "sort and weigh fresh produce for community delivery", "分拣 食品安全", "健康证",
       5000, 6500),
    _o("food_worker", "食品加工工", "Food processing worker", "中央厨房食品加工和分装",
       "process and portion food in the central kitchen", "切配 健康证", "食品安全 烹饪",
       5000, 6500),
    _o("pastry_cook", "面点师", "Pastry cook", "制作馒头包子等主食面点",
       "make steamed buns and other staple pastries", "烹饪 健康证", "食品安全", 6000, 8000),
    _o("group_buy_ops", "社区团购运营", "Community group-buy operator",
       "运营社区团购群，处理订单", "run community group-buying chats and handle orders",
       "电商运营", "Excel 沟通能力", 6000, 9000),
    _o("forklift_driver", "仓库叉车司机", "Forklift driver", "驾驶叉车装卸和移库",
       "drive forklifts to load, unload and move stock", "叉车证", "仓库管理", 6500, 8500),
    _o("courier", "快递员", "Courier", "负责片区快递揽收和派送",
       "pick up and deliver parcels in an assigned area", "快递 电动车驾驶", "扫码枪",
       7000, 12000),
    _o("sorter", "仓库分拣员", "Warehouse sorter", "按订单拣货、分拣、打包",
       "pick, sort and pack orders", "分拣", "打包 扫码枪", 5000, 6500),
    _o("truck_driver", "货车司机", "Truck driver", "驾驶厢式货车配送门店",
       "drive box trucks to stores", "B2驾照", "装卸", 8000, 12000),
    _o("warehouse_keeper", "仓库管理员", "Warehouse keeper", "管理出入库和库存账目",
       "manage inbound, outbound and stock records", "仓库管理 仓储管理系统", "Excel", 6000, 8000),
    _o("loader", "装卸工", "Loader", "装卸货车，搬运货物", "load and unload trucks",
       "装卸", "叉车 吃苦耐劳", 5500, 7500),
    _o("rider", "外卖骑手", "Delivery rider", "配送餐食和生活物资", "deliver meals and groceries",
       "外卖配送 电动车驾驶", "吃苦耐劳", 6000, 12000),
    _o("customer_service", "客服专员", "Customer service agent", "接听热线，处理咨询和投诉",
       "answer the hotline and handle questions and complaints", "客服 普通话",
       "沟通能力 打字", 5000, 7000),
    _o("cleaner", "保洁员", "Cleaner", "负责公共区域清洁和消毒",
       "clean and disinfect public areas", "保洁", "消杀", 3800, 4800),
    _o("guard", "保安", "Security guard", "门岗值守，测温登记",
       "guard the gate, check temperatures", "保安", "保安员证", 4500, 5500),
    _o("caregiver", "养老护理员", "Elderly caregiver", "照护养老院老人的日常生活",
       "care for residents of a nursing home", "养老护理", "养老护理员证", 5500, 7500),
    _o("data_entry", "数据录入员", "Data entry clerk", "录入和核对登记数据",
       "enter and check registration data", "打字 Excel", "普通话", 4500, 6000),
    _o("software_tester", "软件测试工程师", "Software test engineer", "编写测试用例，执行测试",
       "write and run test cases", "数据库 Linux", "Python", 12000, 20000),
    _o("disinfector", "消杀员", "Disinfection worker", "公共场所消毒消杀作业",
       "disinfect public places", "消杀", "保洁", 5000, 6500),
    _o("live_host", "直播带货主播", "Livestream host", "直播销售农产品和日用品",
       "sell farm produce and daily goods on livestreams", "电商运营 普通话", "销售",
       6000, 15000),
)}


@dataclass(frozen=True)
class Sector:
    """A kind of employer: industry label, name parts, and the jobs it posts or idles."""

    key: str
    industry: str  # stored in enterprises.industry
    words: tuple[str, ...]  # the trade part of the Chinese name
    word_en: str
    jobs: tuple[str, ...]  # occupation keys (hiring sectors) or idle roles (stopped ones)


MEDICAL = Sector("medical", "医疗防护用品制造", ("医疗用品", "防护科技", "卫生材料", "医用防护"),
                 "Medical Supplies", ("mask_operator", "suit_sewer", "cleanroom_worker",
                                      "qc_inspector", "electrician", "sorter"))
NECESSITIES = Sector("necessities", "生活必需品供应", ("超市", "食品", "生鲜", "农产品", "便利店"),
                     "Foods", ("stocker", "cashier", "fresh_sorter", "food_worker",
                               "pastry_cook", "group_buy_ops", "live_host"))
LOGISTICS = Sector("logistics", "物流仓储快递", ("物流", "仓储", "快递服务", "供应链管理", "运输"),
                   "Logistics", ("forklift_driver", "courier", "sorter", "truck_driver",
                                 "warehouse_keeper", "loader", "rider"))
SERVICES = Sector("services", "生活服务及其他", ("物业管理", "家政服务", "信息技术", "养老服务",
                                          "电子商务", "保安服务"),
                  "Services", ("customer_service", "cleaner", "guard", "caregiver",
                               "data_entry", "software_tester", "disinfector"))
KEY_SECTORS = (MEDICAL, NECESSITIES, LOGISTICS)
HIRING_SECTORS = (MEDICAL, NECESSITIES, LOGISTICS, SERVICES)


@dataclass(frozen=True)
class IdleRole:
    """A role at an enterprise whose work stopped, with the skills its staff bring."""

    title_zh: str
    title_en: str
    skills: tuple[str, ...]


STOPPED: dict[Sector, tuple[IdleRole, ...]] = {
    Sector("restaurant", "餐饮（停业）", ("餐饮管理", "酒家", "火锅"), "Catering", ()): (
        IdleRole("厨师", "chef", ("烹饪", "健康证", "切配")),
        IdleRole("服务员", "waiter", ("客服", "收银", "沟通能力")),
        IdleRole("传菜员", "food runner", ("装卸", "吃苦耐劳", "健康证"))),
    Sector("travel", "旅行社（停业）", ("国际旅行社", "旅行社"), "Travel", ()): (
        IdleRole("导游", "tour guide", ("普通话", "英语", "沟通能力", "销售")),
        IdleRole("计调", "tour planner", ("Excel", "沟通能力", "销售"))),
    Sector("cinema", "电影院（停业）", ("影城", "电影院"), "Cinema", ()): (
        IdleRole("放映员", "projectionist", ("设备操作", "电气维修")),
        IdleRole("售票员", "ticket seller", ("收银", "客服"))),
    Sector("hotel", "酒店住宿（停业）", ("酒店", "宾馆"), "Hotel", ()): (
        IdleRole("客房服务员", "housekeeper", ("保洁", "消杀")),
        IdleRole("前台接待", "receptionist", ("客服", "英语", "沟通能力"))),
}

BRANDS: tuple[tuple[str, str], ...] = (
    ("康护", "Kanghu"), ("安泰", "Antai"), ("华盾", "Huadun"), ("京卫", "Jingwei"),
    ("顺达", "Shunda"), ("通远", "Tongyuan"), ("鲜丰", "Xianfeng"), ("惠民", "Huimin"),
    ("盛世", "Shengshi"), ("金源", "Jinyuan"), ("宏远", "Hongyuan"), ("瑞丰", "Ruifeng"),
    ("恒信", "Hengxin"), ("博雅", "Boya"), ("新禾", "Xinhe"), ("佳美", "Jiamei"),
    ("益康", "Yikang"), ("众诚", "Zhongcheng"), ("联安", "Lian'an"), ("嘉禾", "Jiahe"),
)
SHIFTS: tuple[tuple[str, str], ...] = (
    ("白班", "day shift"), ("夜班", "night shift"), ("两班倒", "two rotating shifts"),
    ("三班倒", "three rotating shifts"), ("做六休一", "six days on, one off"),
    ("弹性工作", "flexible hours"),
)
BENEFITS: tuple[tuple[str, str], ...] = (
    ("包吃住", "meals and dormitory provided"),
    ("五险一金", "social insurance and housing fund"),
    ("工资日结", "paid daily"), ("提供防护用品", "protective gear provided"),
    ("有班车接送", "shuttle bus"), ("加班另计", "overtime paid extra"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "浩", "宇", "欣怡", "子涵",
         "梓萱", "俊杰", "建国", "志强", "海燕", "晓东", "雪", "鹏", "婷", "鑫", "佳琪")
PROVINCES: tuple[tuple[str, str], ...] = (  # origin province, a county code for ID numbers
    ("河北省", "130682"), ("河南省", "411321"), ("山东省", "371321"), ("安徽省", "341221"),
    ("四川省", "511321"), ("湖南省", "430521"), ("湖北省", "421022"), ("山西省", "140621"),
    ("黑龙江省", "230621"), ("内蒙古自治区", "150121"), ("甘肃省", "620521"),
    ("江西省", "360721"),
)

POOLS: dict[str, tuple[str, ...]] = {  # occupations each seeker category looks for
    "graduate": ("data_entry", "customer_service", "software_tester", "group_buy_ops",
                 "live_host", "qc_inspector"),
    "registered_unemployed": tuple(OCCUPATIONS),
    "migrant_worker": ("courier", "forklift_driver", "loader", "sorter", "food_worker",
                       "cleaner", "rider", "truck_driver", "suit_sewer", "mask_operator"),
    "employment_difficulty": ("cleaner", "guard", "stocker", "caregiver", "cashier",
                              "disinfector"),
}
AGES: dict[str, tuple[int, int]] = {
    "graduate": (21, 24), "registered_unemployed": (25, 50), "migrant_worker": (19, 50),
    "employment_difficulty": (45, 58),
}
MAJORS = (("计算机", "computer science"), ("市场营销", "marketing"), ("会计", "accounting"),
          ("物流管理", "logistics management"), ("英语", "English"), ("护理", "nursing"))
COMMON_SKILLS = ("普通话", "Excel", "英语", "C1驾照", "健康证", "沟通能力", "吃苦耐劳")
EXPERIENCE: dict[str, tuple[str, str]] = {  # seeker category -> (Chinese, English) template
    "graduate": ("{grad_year}届{major}专业毕业生，实习做过{title_zh}。",
                 "Class of {grad_year}, {major_en} graduate; internship as {title_en}."),
    "registered_unemployed": ("从事{title_zh}{years}年，原单位停工后登记失业。",
                              "{years} years as {title_en}; registered unemployed after my "
                              "employer shut down."),
    "migrant_worker": ("来自{province}，在京务工{years}年，做过{title_zh}。",
                       "From {province}, {years} years working in Beijing as {title_en}."),
    "employment_difficulty": ("{age}岁，{title_zh}经验{years}年，希望就近工作。",
                              "Aged {age}, {years} years as {title_en}; prefers work close "
                              "to home."),
}
AGENCIES = (  # the two HR service agencies of the demo: external id, name, district, licence
    ("A001", "北京首才人力资源服务有限公司", DISTRICTS[2], "京人服证字〔2019〕第0105000123号"),
    ("A002", "北京海聘人力资源有限公司", DISTRICTS[5], "京人服证字〔2020〕第0108000456号"),
)
