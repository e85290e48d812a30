package console

import (
	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
)

// audit records a sign-in, or a page's read of personal data, in the audit
// log before the page goes out: what cannot be recorded is not shown.
func (c *Console) audit(ctx echo.Context, actor, action, target string, detail map[string]any) error {
	return c.db.Audit(ctx.Request().Context(), redress.AuditLine{Actor: actor, Action: action, Target: target, Detail: detail})
}

// viewerActor is the audit log's name for the signed-in person.
func viewerActor(ctx echo.Context) string { return redress.ByUser(viewerOf(ctx).User.Email) }
