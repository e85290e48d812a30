package e2e

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// The public form in a real browser, in Chinese and in English: the page
// proves its work in JavaScript, files the complaint with a photo and
// shows the tracking link; the complaint is the customer's, on the web
// channel, and the photo is the customer's file.
func TestComplaintFormInABrowser(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	shots := os.Getenv("REDRESS_SCREENSHOTS")
	for _, tt := range []struct {
		lang, query, title, name, email, subject string
	}{
		{"zh-CN", "", "告诉我们出了什么问题", "王芳", "wang.fang@example.cn", "热水壶漏水"},
		{"en", "?lang=en", "Tell us what went wrong", "Li Wei", "li.wei@example.com", "The kettle leaks"},
	} {
		b := redresstest.StartBrowser(t, tt.lang)
		b.Open(s.BaseURL + "/complain" + tt.query)
		if got := b.Text("h1"); got != tt.title {
			t.Errorf("%s: title %q, want %q", tt.lang, got, tt.title)
		}
		b.Type("#name", tt.name)
		b.Type("#email", tt.email)
		b.Type("#subject", tt.subject)
		b.Type("#description", "It leaks from the base after a week. 用了一周底座漏水。")
		photo := filepath.Join(t.TempDir(), "leak-"+tt.lang+".png")
		if err := os.WriteFile(photo, redresstest.Photo(64, 48), 0o644); err != nil {
			t.Fatal(err)
		}
		b.Type("#files", photo)
		b.WaitFor("#complaint[data-ready='1']") // the proof of work is done
		if shots != "" {
			b.Screenshot(filepath.Join(shots, "form-"+tt.lang+".png"))
		}
		b.Click("#send")
		b.WaitFor("#thanks")
		if kept := b.Text("main"); !strings.Contains(kept, "leak-"+tt.lang+".png") {
			t.Errorf("%s: the thanks page does not list the photo:\n%s", tt.lang, kept)
		}
		if shots != "" {
			b.Screenshot(filepath.Join(shots, "form-filed-"+tt.lang+".png"))
		}
		link := b.Attribute("#tracking", "href")
		token := link[strings.LastIndex(link, "/")+1:]
		r := s.Do("GET", "/v1/track/"+token, "", nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), tt.subject) {
			t.Errorf("%s: the tracking link %s answers %d %s", tt.lang, link, r.Status, r.Body)
		}
		c := complaintBySubject(t, s, tt.subject)
		cu := getCustomer(t, s, c.CustomerID)
		wantLang := map[string]string{"zh-CN": "zh", "en": "en"}[tt.lang]
		if c.Channel != redress.ChannelWeb || cu.Email != tt.email || cu.Name != tt.name || cu.Language != wantLang ||
			c.Timeline[0].By != redress.ByCustomerForm {
			t.Errorf("%s: complaint on %s by %q for %+v", tt.lang, c.Channel, c.Timeline[0].By, cu.Customer)
		}
		if len(c.Attachments) != 1 || c.Attachments[0].ContentType != "image/png" || c.Attachments[0].From != redress.AttachmentFromCustomer {
			t.Errorf("%s: the complaint's files are %+v; want the customer's photo", tt.lang, c.Attachments)
		}
	}
}

// formSession is a visitor without JavaScript: the form's page, its
// cookie, and its hidden fields.
type formSession struct {
	t      *testing.T
	client *http.Client
	base   string
	fields url.Values
}

func openForm(t *testing.T, s *redresstest.Stack) *formSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	f := &formSession{t: t, client: &http.Client{Jar: jar}, base: s.BaseURL}
	f.load()
	return f
}

var (
	hiddenField = regexp.MustCompile(`<input type="hidden" name="(_csrf|challenge|lang)" value="([^"]*)">`)
	question    = regexp.MustCompile(`(\d+) (?:plus|加) (\d+)`)
)

func (f *formSession) load() string {
	f.t.Helper()
	resp, err := f.client.Get(f.base + "/complain?lang=en")
	if err != nil {
		f.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f.fields = url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(string(body), -1) {
		f.fields.Set(m[1], m[2])
	}
	if q := question.FindStringSubmatch(string(body)); q != nil {
		a, _ := strconv.Atoi(q[1])
		b, _ := strconv.Atoi(q[2])
		f.fields.Set("sum", strconv.Itoa(a+b))
	}
	return string(body)
}

func (f *formSession) post(values map[string]string) (int, string) {
	return f.postFiles(values, nil)
}

// postFiles sends the form as a browser does with files picked: multipart,
// each file in the field files. Without files it sends the plain form.
func (f *formSession) postFiles(values map[string]string, files map[string][]byte) (int, string) {
	f.t.Helper()
	form := url.Values{}
	for k, v := range f.fields {
		form[k] = v
	}
	for k, v := range values {
		form.Set(k, v)
	}
	var resp *http.Response
	var err error
	if files == nil {
		resp, err = f.client.PostForm(f.base+"/complain", form)
	} else {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, vs := range form {
			for _, v := range vs {
				_ = w.WriteField(k, v)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			part, _ := w.CreateFormFile("files", name)
			part.Write(files[name])
		}
		w.Close()
		resp, err = f.client.Post(f.base+"/complain", w.FormDataContentType(), &body)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Without JavaScript the form asks a sum; a honeypot, a wrong answer, a
// missing CSRF token and bad fields file nothing; the same form sent twice
// files one complaint.
func TestComplaintFormWithoutJavaScript(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	good := map[string]string{"name": "Zhou Min", "email": "zhou.min@example.cn", "subject": "Wrong size delivered",
		"description": "I ordered a 42 and got a 38.", "category": "delivery"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}

	f := openForm(t, s)
	if f.fields.Get("_csrf") == "" || f.fields.Get("challenge") == "" || f.fields.Get("sum") == "" {
		t.Fatalf("the form lacks its hidden fields or its question: %v", f.fields)
	}
	for _, bad := range []struct {
		name   string
		values map[string]string
		status int
		want   string
	}{
		{"a wrong sum", with("sum", "1000"), http.StatusUnprocessableEntity, "That answer was not right"},
		{"a bad e-mail", with("email", "zhou at example"), http.StatusUnprocessableEntity, "does not look like an e-mail"},
		{"no subject", with("subject", ""), http.StatusUnprocessableEntity, "Please fill this in"},
		{"an unknown category", with("category", "weather"), http.StatusUnprocessableEntity, "Please check this field"},
		{"no CSRF token", with("_csrf", ""), http.StatusForbidden, "open too long"},
	} {
		status, body := f.post(bad.values)
		if status != bad.status || !strings.Contains(body, bad.want) || !strings.Contains(body, good["name"]) && bad.status != http.StatusForbidden {
			t.Errorf("%s: %d; want %d saying %q and keeping what was typed", bad.name, status, bad.status, bad.want)
		}
	}
	if status, body := f.post(with("website", "http://spam.example")); status != http.StatusOK || !strings.Contains(body, "Thank you") {
		t.Errorf("the honeypot: %d; want the usual thanks, and nothing filed", status)
	}
	if n := countComplaints(t, s); n != 0 {
		t.Fatalf("bad forms filed %d complaints", n)
	}

	// Files the form cannot take are named before anything is filed.
	for _, bad := range []struct {
		name   string
		files  map[string][]byte
		status int
		want   string
	}{
		{"a file over 10 MiB", map[string][]byte{"big.png": redresstest.PNG(10<<20+1, 1)}, http.StatusUnprocessableEntity, "big.png is larger than 10 MiB"},
		{"a program", map[string][]byte{"setup.exe": append([]byte("MZ\x90\x00"), make([]byte, 200)...)}, http.StatusUnprocessableEntity, "setup.exe is of a kind we cannot take"},
		{"eleven files", elevenFiles(), http.StatusUnprocessableEntity, "at most 10 files"},
	} {
		status, body := f.postFiles(good, bad.files)
		if status != bad.status || !strings.Contains(body, bad.want) || !strings.Contains(body, good["name"]) {
			t.Errorf("%s: %d; want %d saying %q and keeping what was typed", bad.name, status, bad.status, bad.want)
		}
	}
	if n := countComplaints(t, s); n != 0 {
		t.Fatalf("forms with bad files filed %d complaints", n)
	}

	photo := redresstest.Photo(30, 20)
	status, body := f.postFiles(good, map[string][]byte{"wrong-size.png": photo})
	if status != http.StatusOK || !strings.Contains(body, "/track/") || !strings.Contains(body, "wrong-size.png") {
		t.Fatalf("a good form: %d %s", status, body)
	}
	if status, _ := f.postFiles(good, map[string][]byte{"wrong-size.png": photo}); status != http.StatusOK {
		t.Errorf("the same form again: %d", status)
	}
	if n := countComplaints(t, s); n != 1 {
		t.Errorf("one form sent twice filed %d complaints, want 1", n)
	}
	c := complaintBySubject(t, s, "Wrong size delivered")
	if c.Category != redress.CategoryDelivery || c.Channel != redress.ChannelWeb {
		t.Errorf("filed %s on %s", c.Category, c.Channel)
	}
	if len(c.Attachments) != 1 || c.Attachments[0].Filename != "wrong-size.png" || c.Attachments[0].Size != int64(len(photo)) {
		t.Errorf("the form sent twice kept the files %+v; want the photo once", c.Attachments)
	}
}

func elevenFiles() map[string][]byte {
	files := map[string][]byte{}
	for i := range 11 {
		files[fmt.Sprintf("photo-%d.png", i)] = redresstest.Photo(4, 4+i)
	}
	return files
}
