package console

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// queueOrder lists the queues as the navigation shows them.
var queueOrder = []string{"mine", "unassigned", "breaching", "escalated", "waiting", "open"}

var queueWords = map[string]map[string]string{
	"en": {"queue_mine": "Mine", "queue_unassigned": "Unassigned", "queue_breaching": "Breaching soon",
		"queue_escalated": "Escalated", "queue_waiting": "Waiting on customer", "queue_open": "All open"},
	"zh": {"queue_mine": "我的", "queue_unassigned": "未分配", "queue_breaching": "即将超时",
		"queue_escalated": "已升级", "queue_waiting": "等待客户", "queue_open": "全部未结"},
}

func (c *Console) registerQueues(g *echo.Group) {
	g.GET("/queues/:queue", c.queue)
}

func (c *Console) queue(ctx echo.Context) error {
	return c.render(ctx, http.StatusOK, "queue", page{Title: ctx.Param("queue"), Nav: ctx.Param("queue")})
}
