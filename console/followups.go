package console

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
)

// followUpsShown bounds the follow-ups page: the first due.
const followUpsShown = 200

// followUpsView is the account team's queue: follow-ups not yet recorded,
// the first due first, those past due marked overdue.
type followUpsView struct {
	Tasks []postgres.FollowUpTask
	Now   time.Time
}

func (c *Console) registerFollowUps(g *echo.Group) {
	g.GET("/followups", c.followUpsPage)
	g.POST("/complaints/:id/followup", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.RecordFollowUp(ctx.Request().Context(), call, ctx.FormValue("outcome"), trimmed(ctx, "note"))
	}))
}

func (c *Console) followUpsPage(ctx echo.Context) error {
	tasks, err := c.db.OpenFollowUps(ctx.Request().Context(), followUpsShown)
	if err != nil {
		return c.failure(ctx, err)
	}
	return c.render(ctx, http.StatusOK, "followups", page{Title: wordsFor(ctx).Text("console.followups"), Nav: "followups",
		Data: followUpsView{Tasks: tasks, Now: time.Now()}})
}
