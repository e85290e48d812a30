package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
)

type erasureRequest struct {
	Reason string `json:"reason"`
}

// keyDeskActor is the request's API key as the desk's actor.
func keyDeskActor(c echo.Context) desk.Actor {
	key := caller(c)
	return desk.Actor{Name: key.Name, By: redress.ByKey(key.Name), Role: key.Role, Account: key.Name}
}

// eraseCustomer erases the customer's personal data: 202 with the
// customer while the erasure runs, 200 once it is done; GET shows how it
// stands.
func (s *Server) eraseCustomer(c echo.Context) error {
	var req erasureRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	cu, err := s.desk.EraseCustomer(c.Request().Context(), keyDeskActor(c), c.Param("id"), req.Reason)
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if cu.ErasedAt != nil {
		status = http.StatusOK
	}
	return c.JSON(status, cu)
}

// exportCustomer answers with everything held about the customer.
func (s *Server) exportCustomer(c echo.Context) error {
	export, err := s.desk.ExportCustomer(c.Request().Context(), keyDeskActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, export)
}
