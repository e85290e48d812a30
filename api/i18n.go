package api

import (
	"golang.org/x/text/language"
)

// The pages speak English and Chinese, chosen by the browser's language.
var pageLanguages = language.NewMatcher([]language.Tag{language.English, language.Chinese})

func pageLanguage(acceptLanguage string) string {
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, _ := pageLanguages.Match(tags...)
	if i == 1 {
		return "zh"
	}
	return "en"
}

// messages are the pages' words; every key exists in both languages
// (TestMessagesComplete checks).
var messages = map[string]map[string]string{
	"en": {
		"lang": "en", "your_complaint": "Your complaint", "status": "Status", "filed": "Filed",
		"answer_by": "A person answers by", "resolve_by": "We aim to resolve it by", "history": "History",
		"resolution": "How we resolved it", "compensation": "Compensation",
		"reply": "Reply to us", "send": "Send", "settled_q": "Does this settle your complaint?",
		"confirm": "Yes, it is settled", "reopen": "No, reopen it", "reason": "What is still wrong?",
		"survey_title": "How did we handle your complaint?", "score": "Your score", "comment": "Anything to add? (optional)",
		"score_1": "1 – very poor", "score_2": "2 – poor", "score_3": "3 – fair", "score_4": "4 – good", "score_5": "5 – excellent",
		"thanks": "Thank you for your answer.", "gone": "This survey link was already used or has expired.",
		"not_found":   "This link is not valid. Please check that you copied all of it.",
		"unavailable": "We cannot answer right now. Please try again in a minute.", "error": "That did not work",
		"status_received": "Received", "status_acknowledged": "Being handled", "status_in_progress": "In progress",
		"status_waiting_on_customer": "Waiting for your answer", "status_resolved": "Resolved",
		"status_reopened": "Reopened", "status_closed": "Closed",
		"kind_received": "Complaint received", "kind_acknowledged": "A person took it up", "kind_update": "Message from us",
		"kind_customer_reply": "Your reply", "kind_escalated": "Passed to a senior team member", "kind_resolved": "Resolved",
		"kind_reopened": "Reopened", "kind_closed": "Closed", "kind_survey_answered": "Your rating",
	},
	"zh": {
		"lang": "zh-CN", "your_complaint": "您的投诉", "status": "状态", "filed": "提交时间",
		"answer_by": "人工答复截止", "resolve_by": "预计解决时间", "history": "处理记录",
		"resolution": "处理结果", "compensation": "补偿",
		"reply": "回复我们", "send": "发送", "settled_q": "问题是否已经解决？",
		"confirm": "是，已解决", "reopen": "否，重新打开", "reason": "还有什么问题？",
		"survey_title": "您对我们的处理满意吗？", "score": "您的评分", "comment": "其他意见（可选）",
		"score_1": "1 – 非常不满意", "score_2": "2 – 不满意", "score_3": "3 – 一般", "score_4": "4 – 满意", "score_5": "5 – 非常满意",
		"thanks": "感谢您的反馈。", "gone": "此问卷链接已使用或已过期。",
		"not_found":   "此链接无效，请确认链接完整。",
		"unavailable": "系统暂时无法响应，请稍后再试。", "error": "操作未成功",
		"status_received": "已受理", "status_acknowledged": "处理中", "status_in_progress": "处理中",
		"status_waiting_on_customer": "等待您的回复", "status_resolved": "已解决",
		"status_reopened": "已重新打开", "status_closed": "已关闭",
		"kind_received": "已收到投诉", "kind_acknowledged": "专人已接手", "kind_update": "我们的消息",
		"kind_customer_reply": "您的回复", "kind_escalated": "已转交上级处理", "kind_resolved": "已解决",
		"kind_reopened": "已重新打开", "kind_closed": "已关闭", "kind_survey_answered": "您的评分",
	},
}
