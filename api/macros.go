package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
)

// macroRequest is a canned reply as supervisors write it.
type macroRequest struct {
	Name  string            `json:"name"`
	Texts map[string]string `json:"texts"`
}

func (s *Server) listMacros(c echo.Context) error {
	list, err := s.db.Macros(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list})
}

func (s *Server) getMacro(c echo.Context) error {
	m, err := s.db.Macro(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// saveMacro creates (POST) or replaces (PUT) a canned reply; its fields are
// checked now, so that none fails when an agent sends it.
func (s *Server) saveMacro(c echo.Context) error {
	var req macroRequest
	m := redress.Macro{ID: c.Param("id")}
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) {
		m.Name, m.Texts = req.Name, req.Texts
		redress.CheckMacro(ch, m)
	}); err != nil {
		return err
	}
	saved, err := s.db.SaveMacro(c.Request().Context(), m, redress.ByKey(caller(c).Name))
	if err != nil {
		return err
	}
	if m.ID == "" {
		return c.JSON(http.StatusCreated, saved)
	}
	return c.JSON(http.StatusOK, saved)
}

func (s *Server) deleteMacro(c echo.Context) error {
	if err := s.db.DeleteMacro(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// fillMacro is a canned reply filled in for a complaint, in its customer's
// language, for the agent to send as an update.
func (s *Server) fillMacro(c echo.Context) error {
	filled, err := s.desk.FillMacro(c.Request().Context(), c.Param("id"), c.Param("macro"), caller(c).Name,
		func(id string) string { return s.tokens.TrackingURL(s.tokens.Tracking(id)) }, s.basis.Zone)
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadComplaint, "complaint:"+c.Param("id"), map[string]any{"where": "api", "macro": filled.MacroID}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, filled)
}
