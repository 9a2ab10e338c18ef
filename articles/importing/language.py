"""An imported article's content language: zh-Hans, zh-Hant or en (Article.language's choices).

What the archive says wins (a front-matter `lang`, a Hugo file suffix such as `.en.md`); else the
text decides, with the site's declared language breaking ties. Plain functions, no ORM.
"""

import collections
import re

SIMPLIFIED, TRADITIONAL, ENGLISH = "zh-Hans", "zh-Hant", "en"
LANGUAGE_KEYS = ("lang", "language", "languagecode", "locale")

# Characters written differently in the two scripts, as pairs: each Traditional form, then the
# Simplified one. Only pairs where neither form is in everyday use in the other script (后/後,
# 里/裡, 干/乾, 系/係 … are left out: both scripts write 后 and 里).
_PAIRS = (
    "這这們们說说國国學学會会個个來来時时為为對对發发現现經经過过還还開开關关長长門门問问間间"
    "電电東东車车書书話话語语應应該该當当從从見见與与業业實实點点將将區区動动體体機机題题無无"
    "產产頭头覺觉麼么種种邊边變变總总歡欢愛爱網网數数記记讀读員员線线運运錯错誤误認认識识寫写"
    "樣样請请廣广訊讯視视頁页譯译測测試试據据設设計计類类處处單单筆笔庫库術术標标連连結结環环"
    "護护義义驗验態态論论聽听買买賣卖報报導导權权陽阳陰阴歷历廠厂鐵铁錄录響响飛飞風风氣气魚鱼"
    "鳥鸟龍龙齊齐亂乱獨独師师傳传價价優优備备傷伤讓让進进選选遠远適适達达強强張张戰战紅红細细"
    "給给統统絕绝續续維维編编練练顯显顏颜預预領领館馆飯饭號号虛虚藝艺蘭兰華华萬万葉叶圖图園园"
    "團团圍围壓压場场塊块歲岁裝装麗丽黃黄親亲觀观許许證证議议讚赞負负貨货費费資资質质購购賽赛"
    "轉转輕轻輸输辦办邏逻輯辑郵邮醫医釋释銀银錢钱鏡镜閱阅隊队陳陈險险際际隨随雙双離离難难靜静"
    "韓韩須须順顺願愿頻频養养馬马黨党鹽盐麥麦億亿僅仅儲储兒儿內内兩两冊册劃划劇剧劍剑勞劳勢势"
    "勵励協协參参卻却歸归決决沒没況况減减濟济滿满漢汉灣湾燈灯爾尔牆墙狀状獎奖畫画療疗盡尽監监"
    "確确礎础禮礼稱称穩稳競竞簡简糧粮級级紀纪約约純纯紙纸組组終终綠绿緊紧緣缘縣县罷罢習习聯联"
    "聲声職职腦脑興兴舊旧艱艰蘇苏蟲虫衛卫補补規规覽览觸触詞词詳详調调談谈豬猪貓猫貝贝財财責责"
    "貴贵貿贸賬账趕赶趨趋跡迹踐践蹤踪軌轨軟软較较載载農农遲迟遺遗鄉乡針针鈕钮鎖锁鍵键閃闪闊阔"
    "陸陆隱隐雜杂雞鸡靈灵韻韵頂顶項项頓顿頸颈額额飄飘驅驱驚惊髒脏鬧闹魯鲁鮮鲜鳳凤齡龄"
)
TRADITIONAL_ONLY = frozenset(_PAIRS[0::2])
SIMPLIFIED_ONLY = frozenset(_PAIRS[1::2])

# What carries no language: code (fenced, inline, or indented lines without a Han character),
# markup, entities, link targets, addresses, math and generator syntax.
# Each part stops at the next opening of its own kind, so that a text of unclosed `{%`, `<` or
# `](` is scanned once, not once from each of them.
_NOT_PROSE = re.compile(
    r"```.*?```|~~~.*?~~~|`[^`\n]*`|^(?:    |\t)[^\n\u3400-\u9fff]*$|<[^<>]*>|&#?\w+;|\]\((?:(?!\]\()[^)])*\)"
    r"|\{%(?:(?!\{%).)*?%\}|\{\{(?:(?!\{\{).)*?\}\}|https?://\S+|\$\$.*?\$\$|\$[^$\n]*\$",
    re.S | re.M,
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A Chinese text names software and people in Latin letters; an English one hardly ever writes Han.
ENGLISH_BELOW_HAN_SHARE = 0.2
# Fewer script-specific characters than this and the text does not decide between the scripts.
SCRIPT_EVIDENCE = 3


def language_code(value):
    """A language tag as one of the three choices (zh-CN, zh_TW, zh-Hant-HK, en-US …), or ''."""
    if not isinstance(value, str):
        return ""
    tag = value.strip().lower().replace("_", "-")
    if tag == "en" or tag.startswith("en-"):
        return ENGLISH
    if tag == "zh" or tag.startswith("zh-"):
        parts = set(tag.split("-")[1:])
        return TRADITIONAL if parts & {"hant", "tw", "hk", "mo"} else SIMPLIFIED
    return ""


def text_language(text):
    """What the text itself says: (language, decisive) from counting its letters.

    Mostly Latin words is English; otherwise the majority of the characters that differ between
    the scripts (這/这, 們/们 …) chooses, and is decisive only with enough of them.
    """
    prose = _NOT_PROSE.sub(" ", text or "")
    han = _HAN.findall(prose)
    latin_words = len(_LATIN_WORD.findall(prose))
    if not han and not latin_words:
        return SIMPLIFIED, False
    if len(han) < ENGLISH_BELOW_HAN_SHARE * (len(han) + latin_words):
        return ENGLISH, True
    # Counted per distinct character: an import asks this of every 11 KB body.
    counts = collections.Counter(han)
    traditional = sum(n for c, n in counts.items() if c in TRADITIONAL_ONLY)
    simplified = sum(n for c, n in counts.items() if c in SIMPLIFIED_ONLY)
    language = TRADITIONAL if traditional > simplified else SIMPLIFIED
    return language, abs(traditional - simplified) >= SCRIPT_EVIDENCE


def article_language(metadata, text, *, file_language="", site_language=""):
    """The content language of one imported article.

    In order: the front matter's `lang`/`language`, the file's own language (a Hugo suffix), the
    text when it decides, the site's declared language when it is Chinese and the text is
    Chinese too, and last what the text leans to.
    """
    for key in LANGUAGE_KEYS:
        declared = language_code(_value(metadata, key))
        if declared:
            return declared
    from_file = language_code(file_language)
    if from_file:
        return from_file
    guessed, decisive = text_language(text)
    if decisive:
        return guessed
    site = language_code(site_language)
    if site in (SIMPLIFIED, TRADITIONAL) and guessed != ENGLISH:
        return site
    return guessed


def _value(metadata, key):
    """metadata[key], its key matched without regard to case (Hugo's `languageCode`, `Lang`)."""
    for name, value in metadata.items():
        if isinstance(name, str) and name.lower() == key:
            return value
    return None
