"""Word lists the sample site is built from: places, employers, job titles, majors.

Kept apart from the generators so a reader can check the domain content (does this look like
Bazhong?) without reading control flow. Everything here is plain data; the order of every list
matters because the generators draw from them with a seeded random.Random.
"""

from __future__ import annotations

# Job titles per industry live in their own module, the longest list of the sample site.
from sample_sources.vocabulary_titles import TITLES as TITLES

# Bazhong's county-level units as the warehouse names them (seed `counties`).
BAZHONG_COUNTIES = ("巴州区", "恩阳区", "通江县", "南江县", "平昌县", "巴中经开区")

# How each board writes a Bazhong county. The zhaopin API has a `district` field; the rencai
# site prints "city·district". Both keep the county recognisable but neither uses the seed name
# for the development zone verbatim, as real boards don't.
ZHAOPIN_DISTRICT = {county: county for county in BAZHONG_COUNTIES}
RENCAI_DISTRICT = {county: county for county in BAZHONG_COUNTIES} | {"巴中经开区": "经开区"}

# Places outside Bazhong that recruit Bazhong people (city-level county key, board city, districts).
OUTSIDE_PLACES = {
    "成都市": ("成都", ("高新区", "武侯区", "双流区", "龙泉驿区", "郫都区")),
    "南充市": ("南充", ("顺庆区", "高坪区", "嘉陵区")),
    "达州市": ("达州", ("通川区", "达川区")),
}
OUTSIDE_SHARES = (("成都市", 0.5), ("南充市", 0.25), ("达州市", 0.25))

# Telephone area codes, for landlines in job descriptions.
AREA_CODES = {"成都市": "028", "南充市": "0817", "达州市": "0818"}
BAZHONG_AREA_CODE = "0827"

INDUSTRIES = ("文旅康养", "食品饮料", "生物医药", "新材料", "电子信息", "智能制造", "其他")

# Share of postings, yearly growth of demand and months with more (>1) or less (<1) hiring.
# The shapes follow the context notes: electronics and new materials grow fastest in the
# 经开区, tourism hires before the summer and the October holidays, food factories before
# the Mid-Autumn and Spring festivals.
INDUSTRY_PROFILE = {
    "文旅康养": {
        "share": 0.21,
        "growth": 0.12,
        "season": {4: 1.2, 5: 1.3, 6: 1.3, 7: 1.2, 9: 1.15, 11: 0.8, 12: 0.7},
    },
    "食品饮料": {
        "share": 0.13,
        "growth": 0.06,
        "season": {6: 0.8, 8: 1.2, 9: 1.3, 10: 1.2, 11: 1.25, 12: 1.15},
    },
    "生物医药": {"share": 0.13, "growth": 0.15, "season": {3: 1.1, 9: 1.1}},
    "新材料": {"share": 0.08, "growth": 0.30, "season": {3: 1.15}},
    "电子信息": {"share": 0.12, "growth": 0.25, "season": {3: 1.2, 4: 1.1, 9: 1.1}},
    "智能制造": {"share": 0.10, "growth": 0.10, "season": {3: 1.2, 4: 1.1}},
    "其他": {"share": 0.23, "growth": 0.02, "season": {}},
}

# Whole-market seasonality: quiet around 春节 (late Jan / Feb), a hiring peak right after it,
# a dip over the October 国庆 holidays and in December.
MONTH_SEASON = {
    1: 0.85,
    2: 0.8,
    3: 1.35,
    4: 1.2,
    5: 1.05,
    6: 1.0,
    7: 1.0,
    8: 0.95,
    9: 1.05,
    10: 0.85,
    11: 0.95,
    12: 0.8,
}

# Where each industry's employers sit (weights over BAZHONG_COUNTIES).
INDUSTRY_COUNTIES = {
    "文旅康养": {"巴州区": 3, "恩阳区": 2, "通江县": 2, "南江县": 3, "平昌县": 2, "巴中经开区": 1},
    "食品饮料": {"巴州区": 2, "恩阳区": 1, "通江县": 2, "南江县": 2, "平昌县": 3, "巴中经开区": 2},
    "生物医药": {"巴州区": 1, "恩阳区": 1, "通江县": 2, "南江县": 1, "平昌县": 1, "巴中经开区": 4},
    "新材料": {"巴州区": 1, "恩阳区": 2, "通江县": 0, "南江县": 0, "平昌县": 1, "巴中经开区": 5},
    "电子信息": {"巴州区": 1, "恩阳区": 1, "通江县": 0, "南江县": 0, "平昌县": 0, "巴中经开区": 6},
    "智能制造": {"巴州区": 2, "恩阳区": 2, "通江县": 0, "南江县": 1, "平昌县": 1, "巴中经开区": 5},
    "其他": {"巴州区": 5, "恩阳区": 2, "通江县": 2, "南江县": 2, "平昌县": 2, "巴中经开区": 1},
}

# Named employers (industry, county, weight). The first four are the ones the planning documents
# name; the rest are invented but plausible.
NAMED_COMPANIES = (
    ("四川通友微电科技有限公司", "新材料", "巴中经开区", 6),
    ("国药天江药业巴中有限公司", "生物医药", "巴中经开区", 6),
    ("四川高显科技有限公司", "电子信息", "巴中经开区", 5),
    ("四川鑫亚商显光电科技有限公司", "电子信息", "巴中经开区", 5),
    ("巴中光雾山旅游开发有限公司", "文旅康养", "南江县", 4),
    ("通江诺水河文化旅游有限公司", "文旅康养", "通江县", 3),
    ("巴中恩阳古镇文旅发展有限公司", "文旅康养", "恩阳区", 3),
    ("平昌驷马水乡旅游开发有限公司", "文旅康养", "平昌县", 2),
    ("巴中秦巴康养产业发展有限公司", "文旅康养", "巴州区", 3),
    ("巴中云顶国际酒店有限公司", "文旅康养", "巴州区", 2),
    ("巴中颐和养老服务有限公司", "文旅康养", "巴州区", 2),
    ("通江银耳食品科技有限公司", "食品饮料", "通江县", 3),
    ("南江黄羊食品有限公司", "食品饮料", "南江县", 2),
    ("巴中巴山雀舌茶业有限公司", "食品饮料", "南江县", 2),
    ("平昌青花椒调味品有限公司", "食品饮料", "平昌县", 3),
    ("巴中秦巴山珍食品有限公司", "食品饮料", "巴中经开区", 2),
    ("巴中康恩药业有限公司", "生物医药", "巴中经开区", 3),
    ("四川秦巴中药材科技有限公司", "生物医药", "通江县", 2),
    ("南江川明参生物科技有限公司", "生物医药", "南江县", 1),
    ("巴中石墨烯新材料有限公司", "新材料", "恩阳区", 2),
    ("四川巴中硅能光伏科技有限公司", "新材料", "巴中经开区", 3),
    ("巴中华芯电子科技有限公司", "电子信息", "巴中经开区", 3),
    ("四川巴山智能装备有限公司", "智能制造", "巴中经开区", 3),
    ("巴中宏达汽车零部件有限公司", "智能制造", "恩阳区", 2),
    ("巴中盛世物流有限公司", "其他", "巴州区", 2),
    ("巴中众信人力资源服务有限公司", "其他", "巴州区", 3),
    ("巴中市晨阳职业培训学校", "其他", "巴州区", 1),
)

# Characters for invented trade names (字号), and the business words per industry.
BRAND_CHARS = "鑫华盛恒达瑞宏泰源嘉信诚兴隆丰顺永佳富金锦润博天宇通海川秦巴山晨阳美和德新星光蜀汇聚安康荣昌"
INDUSTRY_BUSINESS = {
    "文旅康养": ("旅游开发", "酒店管理", "康养服务", "文化传媒", "养老服务", "餐饮管理", "温泉度假"),
    "食品饮料": ("食品", "农产品开发", "调味品", "酒业", "茶业", "冷链物流", "生态农业"),
    "生物医药": ("药业", "生物科技", "中药饮片", "医药", "医疗器械", "健康管理", "大药房"),
    "新材料": ("新材料", "电子陶瓷", "光伏科技", "碳材料", "复合材料"),
    "电子信息": ("电子科技", "光电科技", "信息技术", "网络科技", "智能科技"),
    "智能制造": ("机械制造", "智能装备", "机电设备", "精密机械", "自动化科技"),
    "其他": (
        "商贸",
        "物流",
        "建筑工程",
        "物业服务",
        "房地产开发",
        "教育咨询",
        "汽车销售服务",
        "人力资源服务",
    ),
}
COUNTY_PREFIXES = {
    "巴州区": ("巴中", "巴中市", "巴州区"),
    "恩阳区": ("恩阳区", "巴中"),
    "通江县": ("通江县", "通江"),
    "南江县": ("南江县", "南江"),
    "平昌县": ("平昌县", "平昌"),
    "巴中经开区": ("巴中", "四川"),
    "成都市": ("成都", "四川"),
    "南充市": ("南充", "四川"),
    "达州市": ("达州", "四川"),
}
COMPANY_SUFFIXES = (("有限公司", 10), ("有限责任公司", 2), ("股份有限公司", 1))


# Titles only some employers advertise: the title needs one of these words in the company name.
TITLE_EMPLOYERS = {
    "护士": ("健康管理", "医院"),
    "执业药师": ("大药房", "医药"),
    "药店营业员": ("大药房",),
    "中药材种植技术员": ("中药",),
    "电子陶瓷成型操作工": ("通友", "电子陶瓷", "新材料"),
    "烧结炉操作工": ("通友", "电子陶瓷", "新材料"),
    "光伏组件生产操作工": ("光伏", "硅能"),
    "石墨烯应用研发工程师": ("石墨烯", "碳材料"),
    "显示模组生产技术员": ("高显", "商显", "光电"),
    "景区讲解员": ("旅游", "文旅", "文化"),
    "导游": ("旅游",),
    "酒店前台接待": ("酒店", "温泉"),
    "客房服务员": ("酒店", "温泉"),
    "酒店大堂经理": ("酒店", "温泉"),
    "康养护理员": ("康养", "养老"),
    "养老护理员": ("康养", "养老"),
    "康复治疗师": ("康养", "养老", "健康"),
    "健康管理师": ("康养", "养老", "健康"),
    "酿酒工": ("酒业",),
    "茶叶加工技术员": ("茶业",),
    "调味品生产技术员": ("调味品", "青花椒"),
    "冷链物流司机": ("冷链", "食品"),
    "小学语文教师": ("教育", "培训", "学校"),
    "置业顾问": ("房地产",),
    "汽车维修工": ("汽车",),
    "快递员": ("物流", "人力资源"),
    "外卖骑手": ("物流", "人力资源"),
    "保安": ("物业", "人力资源"),
    "保洁员": ("物业", "人力资源"),
    "收银员": ("商贸",),
}
# Employers that advertise only these titles (first matching word in the company name wins).
EMPLOYER_TITLES = {
    "大药房": ("执业药师", "药店营业员", "药品销售代表"),
    "学校": ("小学语文教师", "行政专员", "会计", "出纳", "人事专员"),
    "教育": ("小学语文教师", "行政专员", "会计", "出纳", "客服专员"),
    "酒店": (
        "酒店前台接待",
        "客房服务员",
        "餐厅服务员",
        "酒店大堂经理",
        "中餐厨师",
        "新媒体运营专员",
        "OTA运营专员",
    ),
    "养老": ("康养护理员", "养老护理员", "康复治疗师", "健康管理师", "中餐厨师"),
}

# Education and experience by level (canonical value, weight). Boards print the canonical value,
# except that rencai often writes 本科 as 本科及以上 and 中专/中技 as 中专.
EDUCATION_BY_LEVEL = {
    "op": (("不限", 30), ("初中及以下", 25), ("高中", 20), ("中专/中技", 25)),
    "svc": (("不限", 30), ("初中及以下", 10), ("高中", 30), ("中专/中技", 25), ("大专", 5)),
    "tech": (("高中", 10), ("中专/中技", 35), ("大专", 45), ("本科", 10)),
    "eng": (("大专", 25), ("本科", 62), ("硕士", 13)),
    "mgr": (("大专", 50), ("本科", 50)),
    "sales": (("不限", 30), ("高中", 30), ("中专/中技", 20), ("大专", 20)),
}
EXPERIENCE_BY_LEVEL = {
    "op": (("经验不限", 60), ("应届生", 5), ("1年以下", 15), ("1-3年", 20)),
    "svc": (("经验不限", 55), ("应届生", 10), ("1年以下", 15), ("1-3年", 20)),
    "tech": (("经验不限", 25), ("应届生", 10), ("1-3年", 45), ("3-5年", 20)),
    "eng": (("应届生", 15), ("1-3年", 35), ("3-5年", 35), ("5年以上", 15)),
    "mgr": (("3-5年", 50), ("5年以上", 50)),
    "sales": (("经验不限", 60), ("1年以下", 20), ("1-3年", 20)),
}
HEADCOUNT_BY_LEVEL = {
    "op": (2, 20),
    "svc": (1, 8),
    "tech": (1, 5),
    "eng": (1, 3),
    "mgr": (1, 1),
    "sales": (2, 10),
}

# How reposts and cross-posts dress up a title ("" keeps that side plain).
TITLE_PREFIXES = ("【急招】", "急聘", "诚聘", "高薪诚聘", "【直招】", "")
TITLE_SUFFIXES = ("（包吃住）", "(长期招聘)", "5名", "（五险一金）", "急招", "")
# Another board's word for the same post (a near-duplicate only the description gives away).
TITLE_PARAPHRASES = {
    "SMT操作员": "SMT贴片操作员",
    "电子装配工": "电子组装工",
    "焊工": "电焊工",
    "普工": "操作普工",
    "包装工": "包装普工",
    "客房服务员": "客房保洁员",
    "餐厅服务员": "餐饮服务员",
    "酒店前台接待": "酒店前台",
    "导游": "旅游导游",
    "会计": "财务会计",
    "销售代表": "销售专员",
    "仓库管理员": "仓管员",
    "快递员": "快递派送员",
    "保安": "保安员",
    "司机": "驾驶员",
    "电工": "维修电工",
    "叉车司机": "叉车工",
    "质检员": "质检专员",
    "养老护理员": "养老院护理员",
    "中餐厨师": "川菜厨师",
    "收银员": "超市收银员",
    "客服专员": "客服",
    "行政专员": "行政文员",
    "数控车床操作工": "数控车工",
    "化验员": "化验室化验员",
    "食品生产操作工": "食品厂普工",
    "康养护理员": "康养中心护理员",
}
# A line a recruiter adds when reposting.
DESCRIPTION_ADDENDA = (
    "本岗位长期有效，欢迎推荐。",
    "（急招，可当天面试）",
    "有意者请携带简历前来面试。",
)

BENEFITS = (
    "五险一金",
    "包吃住",
    "包住宿",
    "提供工作餐",
    "节日福利",
    "年终奖",
    "带薪年假",
    "免费培训",
    "交通补贴",
    "全勤奖",
    "定期体检",
    "周末双休",
    "单休",
    "技能等级补贴",
    "员工旅游",
    "夜班补贴",
)
GENERIC_REQUIREMENTS = (
    "身体健康，吃苦耐劳，服从安排",
    "有责任心和团队合作精神",
    "能适应倒班工作",
    "有相关工作经验者优先",
    "持相关职业技能等级证书者优先",
    "熟练使用办公软件",
    "退役军人同等条件下优先",
    "本地户籍或愿意在巴中长期发展者优先",
)
ADDRESS_HINTS = {
    "巴州区": ("江北大道", "回风大道", "滨河北路", "宕梁街道"),
    "恩阳区": ("恩阳古镇", "登科大道", "义兴路"),
    "通江县": ("诺江镇", "壁州大道", "通江县工业园区"),
    "南江县": ("光雾山大道", "南江县经济开发区", "集州街道"),
    "平昌县": ("江口镇", "平昌县工业园区", "同州街道"),
    "巴中经开区": ("智能制造产业园", "生物医药产业园", "兴文街道", "柳津路"),
    "巴中市": ("巴中市区",),
}

SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
CONTACT_TITLES = ("经理", "经理", "女士", "先生", "主管", "老师")
EMAIL_DOMAINS = ("163.com", "qq.com", "126.com", "sina.com", "foxmail.com")

# Vocational majors per school: (major code, major name, first graduation year, base cohort).
# Codes follow the 2021 职业教育专业目录 and, where the warehouse already has them, match
# dbt_project/seeds/majors.csv; the few others are marked with a comment.
SCHOOLS = (
    (
        "巴中职业技术学院",
        "高职",
        "xlsx",
        "bzvtc_{year}_graduates.xlsx",
        (
            ("460301", "机电一体化技术", 2021, 210),
            ("460102", "机械制造及自动化", 2021, 130),
            ("460110", "材料成型及控制技术", 2023, 60),
            ("510101", "电子信息工程技术", 2021, 150),
            ("510201", "计算机应用技术", 2021, 240),
            ("490201", "药品生产技术", 2021, 160),
            ("490206", "药品质量与安全", 2022, 80),
            ("490204", "中药制药", 2021, 90),
            ("520201", "护理", 2021, 420),
            ("520601", "康复治疗技术", 2022, 110),
            ("540101", "旅游管理", 2021, 120),
            ("540106", "酒店管理与数字化运营", 2021, 90),
            ("530701", "电子商务", 2021, 180),
            ("530605", "市场营销", 2021, 100),
            ("490101", "食品智能加工技术", 2024, 50),
        ),
    ),
    (
        "巴中市职业中学",
        "中职",
        "csv-utf8",
        "bzszz_{year}.csv",
        (
            ("660301", "机电技术应用", 2021, 220),
            ("710102", "电子技术应用", 2021, 160),
            ("710201", "计算机应用", 2021, 260),
            ("730701", "电子商务", 2021, 150),
            ("700206", "汽车运用与维修", 2021, 180),  # not in majors.csv yet
            ("610111", "农产品保鲜与加工", 2022, 70),  # not in majors.csv yet; code unverified
        ),
    ),
    (
        "通江县职业高级中学",
        "中职",
        "csv-gb18030",
        "tjzg_{year}.csv",
        (
            ("720101", "护理", 2021, 260),
            ("720201", "药剂", 2021, 140),
            ("720303", "中药", 2022, 70),  # not in majors.csv yet; code unverified
            ("740101", "旅游服务与管理", 2021, 110),
            ("710201", "计算机应用", 2021, 150),
        ),
    ),
    (
        "南江县小河职业中学",
        "中职",
        "csv-utf8-bom",
        "njxh_{year}.csv",
        (
            ("740101", "旅游服务与管理", 2021, 200),
            ("740104", "高星级饭店运营与管理", 2021, 120),
            ("730701", "电子商务", 2021, 140),
            ("610111", "农产品保鲜与加工", 2021, 90),  # not in majors.csv yet; code unverified
            ("720101", "护理", 2021, 180),
        ),
    ),
    (
        "南江县职业中学",
        "中职",
        "csv-utf8",
        "njzz_{year}.csv",
        (
            ("700206", "汽车运用与维修", 2021, 160),  # not in majors.csv yet
            ("660301", "机电技术应用", 2021, 150),
            ("710201", "计算机应用", 2021, 170),
            ("770101", "幼儿保育", 2021, 190),  # not in majors.csv yet
            ("730701", "电子商务", 2022, 90),
        ),
    ),
    (
        "平昌通用职业技术学校",
        "中职",
        "csv-utf8",
        "pcty_{year}.csv",
        (
            ("740101", "旅游服务与管理", 2021, 150),
            ("740104", "高星级饭店运营与管理", 2021, 110),
            ("740201", "中餐烹饪", 2021, 130),  # not in majors.csv yet
            ("720101", "护理", 2021, 200),
            ("790301", "智慧健康养老服务", 2023, 60),  # not in majors.csv yet
            ("710102", "电子技术应用", 2021, 120),
        ),
    ),
)
