package console

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

var supervisorWords = map[string]map[string]string{
	"en": {"workload": "Workload"},
	"zh": {"workload": "工作量"},
}

func (c *Console) registerSupervisor(g *echo.Group, supervisors echo.MiddlewareFunc) {
	g.GET("/supervisor", c.supervisor, supervisors)
}

func (c *Console) supervisor(ctx echo.Context) error {
	return c.render(ctx, http.StatusOK, "supervisor", page{Title: "Supervisor", Nav: "supervisor"})
}
