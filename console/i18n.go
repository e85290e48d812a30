package console

// commonWords are the words of the layout, sign-in and error pages.
var commonWords = map[string]map[string]string{
	"en": {
		"lang": "en", "console": "Redress console", "sign_in": "Sign in", "email": "E-mail", "password": "Password",
		"sign_out": "Sign out", "wrong_password": "The e-mail or password is not right, or the account is disabled.",
		"signed_out": "You were signed out. Sign in again to go on.", "language": "Language", "auto": "Browser",
		"queues": "Queues", "supervisor": "Supervisor", "back": "Back",
		"level_0": "Agent", "level_1": "Supervisor", "level_2": "Manager", "level_3": "Executive",
		"P1": "P1", "P2": "P2", "P3": "P3", "P4": "P4",
		"status_received": "Received", "status_acknowledged": "Acknowledged", "status_in_progress": "In progress",
		"status_waiting_on_customer": "Waiting on customer", "status_resolved": "Resolved", "status_reopened": "Reopened",
		"status_closed":  "Closed",
		"clock_on_track": "on track", "clock_warned": "due soon", "clock_breached": "overdue", "clock_paused": "paused",
		"save":                     "Save",
		"category_product_quality": "Product quality", "category_safety": "Safety", "category_service": "Service",
		"category_delivery": "Delivery", "category_billing": "Billing", "category_privacy": "Privacy", "category_other": "Other",
	},
	"zh": {
		"lang": "zh-CN", "console": "Redress 工作台", "sign_in": "登录", "email": "邮箱", "password": "密码",
		"sign_out": "退出", "wrong_password": "邮箱或密码不正确，或账号已停用。",
		"signed_out": "您已退出登录，请重新登录。", "language": "语言", "auto": "跟随浏览器",
		"queues": "队列", "supervisor": "主管视图", "back": "返回",
		"level_0": "坐席", "level_1": "主管", "level_2": "经理", "level_3": "高管",
		"P1": "P1", "P2": "P2", "P3": "P3", "P4": "P4",
		"status_received": "已受理", "status_acknowledged": "已确认", "status_in_progress": "处理中",
		"status_waiting_on_customer": "等待客户", "status_resolved": "已解决", "status_reopened": "已重新打开",
		"status_closed":  "已关闭",
		"clock_on_track": "正常", "clock_warned": "即将到期", "clock_breached": "已超时", "clock_paused": "已暂停",
		"save":                     "保存",
		"category_product_quality": "产品质量", "category_safety": "安全", "category_service": "服务",
		"category_delivery": "配送", "category_billing": "账单", "category_privacy": "隐私", "category_other": "其他",
	},
}
