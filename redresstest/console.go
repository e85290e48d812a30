package redresstest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redress-dev/redress/staff"
)

// ConsoleUser is a person signed in to a test stack's console through plain
// HTTP: forms posted as a browser posts them, redirects not followed.
type ConsoleUser struct {
	t      testing.TB
	base   string
	client *http.Client
	// CSRF is the session's form token, read from the last page.
	CSRF string
}

// Page is one answer of the console.
type Page struct {
	Status   int
	Location string
	Body     string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// AddStaff makes a console account on the stack.
func (s *Stack) AddStaff(email, name, role, password string) {
	s.t.Helper()
	if _, err := staff.Add(context.Background(), s.DB, email, name, role, password, "test"); err != nil {
		s.t.Fatalf("add %s: %v", email, err)
	}
}

// Anonymous is a browser with no session.
func (s *Stack) Anonymous() *ConsoleUser {
	jar, _ := cookiejar.New(nil)
	return &ConsoleUser{t: s.t, base: s.BaseURL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn signs in through the sign-in form and fails the test if that does
// not work.
func (s *Stack) SignIn(email, password string) *ConsoleUser {
	s.t.Helper()
	u := s.Anonymous()
	if p := u.TrySignIn(email, password); p.Status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d %s", email, p.Status, p.Body)
	}
	u.Get("/console/queues/mine")
	return u
}

// TrySignIn fills in and posts the sign-in form.
func (u *ConsoleUser) TrySignIn(email, password string) Page {
	u.Get("/console/login")
	return u.Post("/console/login", url.Values{"email": {email}, "password": {password}})
}

// Get fetches a console page; a page with forms updates CSRF.
func (u *ConsoleUser) Get(path string) Page {
	u.t.Helper()
	return u.do(http.MethodGet, path, nil)
}

// Post posts a form with the session's CSRF token unless the form names
// its own.
func (u *ConsoleUser) Post(path string, form url.Values) Page {
	u.t.Helper()
	if _, ok := form["csrf"]; !ok && u.CSRF != "" {
		form.Set("csrf", u.CSRF)
	}
	return u.do(http.MethodPost, path, form)
}

func (u *ConsoleUser) do(method, path string, form url.Values) Page {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := u.client.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		u.CSRF = m[1]
	}
	return p
}

// Events opens the console's live stream and passes on the id of each
// changed complaint until the test ends.
func (u *ConsoleUser) Events() <-chan string {
	u.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u.base+"/console/events", nil)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := u.client.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		u.t.Fatalf("open the live stream: %v %v", err, res)
	}
	u.t.Cleanup(func() { res.Body.Close() })
	ids := make(chan string, 1024)
	go func() {
		defer close(ids)
		lines := bufio.NewScanner(res.Body)
		event := ""
		for lines.Scan() {
			line := lines.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "complaint":
				ids <- strings.TrimPrefix(line, "data: ")
			case line == "":
				event = ""
			}
		}
	}()
	return ids
}
