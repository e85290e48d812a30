package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether each dependency answers, and 503 while one does not.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	parts := map[string]string{"database": "ok", "temporal": "ok"}
	status := http.StatusOK
	if err := s.db.Ping(ctx); err != nil {
		parts["database"], status = "unavailable", http.StatusServiceUnavailable
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		parts["temporal"], status = "unavailable", http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		c.Response().Header().Set("Retry-After", "5")
	}
	return c.JSON(status, parts)
}
