package redress

import (
	"strings"
	"unicode"
)

// categoryKeywords are the intake's classification rules, in English and
// Chinese. Order matters: it breaks ties, and safety is checked first because
// a single hint of danger must never be outvoted.
var categoryKeywords = []struct {
	category Category
	keywords []string
}{
	{CategorySafety, []string{"fire", "burn", "burned", "burnt", "injury", "injured", "hurt", "smoke", "smoking",
		"smoked", "explode", "exploded", "explosion", "electric shock", "shocked", "hazard", "dangerous", "choking",
		"poison", "toxic", "overheat", "overheated", "overheating", "spark", "sparked", "sparking", "caught fire", "melted",
		"melting", "burning", "起火", "着火", "烧伤", "受伤", "爆炸", "冒烟", "触电", "危险", "中毒", "过热", "安全隐患"}},
	{CategoryPrivacy, []string{"privacy", "personal data", "personal information", "data breach", "data leak", "leaked my",
		"gdpr", "my data", "spam", "隐私", "泄露", "个人信息", "数据"}},
	{CategoryBilling, []string{"charge", "charged", "overcharged", "double charged", "refund", "invoice", "bill",
		"billing", "payment", "paid", "price", "扣费", "扣款", "退款", "发票", "账单", "收费", "付款", "多收"}},
	{CategoryDelivery, []string{"delivery", "delivered", "shipping", "shipment", "package", "parcel", "courier",
		"late", "delayed", "never arrived", "not arrived", "lost", "快递", "物流", "配送", "送货", "包裹", "未收到", "没收到", "延迟"}},
	{CategoryProductQuality, []string{"broken", "defect", "defective", "faulty", "stopped working", "doesn't work",
		"does not work", "damaged", "quality", "cracked", "malfunction", "质量", "坏了", "损坏", "故障", "破损", "瑕疵", "不能用"}},
	{CategoryService, []string{"rude", "staff", "agent", "support", "service", "waited", "waiting", "impolite",
		"ignored", "no response", "态度", "客服", "服务", "店员", "不理", "等了"}},
}

// Classify picks the category of a complaint from its subject and description
// when the caller gave none: the category whose keywords match most wins,
// safety wins on any match, and "other" is left when nothing matches.
func Classify(subject, description string) Category {
	text := strings.ToLower(subject + "\n" + description)
	best, bestHits := CategoryOther, 0
	for _, rule := range categoryKeywords {
		hits := 0
		for _, kw := range rule.keywords {
			if containsKeyword(text, kw) {
				hits++
			}
		}
		if hits > 0 && rule.category == CategorySafety {
			return CategorySafety
		}
		if hits > bestHits {
			best, bestHits = rule.category, hits
		}
	}
	return best
}

// containsKeyword matches Latin keywords as whole words ("late" is not in
// "chocolate") and other scripts, which do not separate words, as substrings.
func containsKeyword(text, keyword string) bool {
	if !isLatin(keyword) {
		return strings.Contains(text, keyword)
	}
	for start := 0; ; {
		i := strings.Index(text[start:], keyword)
		if i < 0 {
			return false
		}
		i += start
		end := i + len(keyword)
		if !letterBefore(text, i) && (!letterAt(text, end) || pluralAt(text, end)) {
			return true
		}
		start = i + 1
	}
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

func letterBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	r := rune(text[i-1])
	return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// pluralAt reports whether the word goes on with just "s" or "es" (smokes,
// sparks): a customer writes what happened, not the keyword's exact form.
func pluralAt(text string, i int) bool {
	for _, suffix := range []string{"s", "es"} {
		if strings.HasPrefix(text[i:], suffix) && !letterAt(text, i+len(suffix)) {
			return true
		}
	}
	return false
}

func letterAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r := rune(text[i])
	return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
