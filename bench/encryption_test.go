package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// beforeEncryption is the last commit before personal data was encrypted
// at rest: the "before" of BenchmarkEncryptionAtRest (REDRESS_BEFORE
// names another).
const beforeEncryption = "51055c7"

// BenchmarkEncryptionAtRest puts the same load, in one run on one machine,
// on `redress dev` built from the last commit before encryption at rest
// and from this tree: 16 clients file 800 complaints for 100 customers,
// then an agent lists complaints (pages of 50) and reads them, 200 calls
// each. On this tree it also times the erasure of a customer with 100
// complaints (10 of them with a file), from the request to erased. Run
// with `make bench-encryption`.
func BenchmarkEncryptionAtRest(b *testing.B) {
	before := os.Getenv("REDRESS_BEFORE")
	if before == "" {
		before = beforeEncryption
	}
	versions := []struct{ name, binary string }{
		{"before", redresstest.BinaryAt(b, before)},
		{"after", redresstest.Binary(b)},
	}
	for _, v := range versions {
		b.Run(v.name, func(b *testing.B) {
			api := devProcess(b, v.binary)
			var ids []string
			b.Run("intake", func(b *testing.B) {
				ids = make([]string, 800)
				run(b, 16, 800, func(i int) error {
					var c redress.Complaint
					err := api.call("POST", "/v1/complaints", "dev-intake", map[string]any{
						"customer": map[string]any{"external_id": fmt.Sprintf("enc-%d", i%100), "name": "Zhang Wei",
							"email": fmt.Sprintf("enc-%d@example.com", i%100), "phone": "+86 138 0000 0000"},
						"channel": "web", "subject": "Parcel never arrived",
						"description": fmt.Sprintf("The courier marked order %d delivered but nothing came to my flat.", i),
					}, http.StatusCreated, &c)
					ids[i] = c.ID
					return err
				})
			})
			b.Run("list", func(b *testing.B) {
				timeCalls(b, "page-of-50", 200, func() error {
					return api.call("GET", "/v1/complaints?limit=50", "dev-agent", nil, http.StatusOK, nil)
				})
			})
			b.Run("read", func(b *testing.B) {
				i := 0
				timeCalls(b, "complaint", 200, func() error {
					i++
					return api.call("GET", "/v1/complaints/"+ids[i*3%len(ids)], "dev-agent", nil, http.StatusOK, nil)
				})
			})
			if v.name == "after" {
				b.Run("erasure-100-complaints", func(b *testing.B) { timeErasure(b, api) })
			}
		})
	}
}

// timeErasure files 100 complaints for one customer and times their
// erasure until GET shows it done.
func timeErasure(b *testing.B, api devAPI) {
	var customer string
	for i := range 100 {
		var c redress.Complaint
		if err := api.call("POST", "/v1/complaints", "dev-intake", map[string]any{
			"customer": map[string]any{"external_id": "erase-me", "name": "Qian Mei", "email": "erase-me@example.com"},
			"channel":  "web", "subject": fmt.Sprintf("Problem %d", i), "description": fmt.Sprintf("Number %d of my problems.", i),
			"order_ref": fmt.Sprintf("ORD-%d", i),
		}, http.StatusCreated, &c); err != nil {
			b.Fatal(err)
		}
		customer = c.CustomerID
		if i%10 == 0 {
			if err := api.upload(c.ID, fmt.Sprintf("receipt-%d.txt", i), []byte("receipt of Qian Mei")); err != nil {
				b.Fatal(err)
			}
		}
	}
	start := time.Now()
	if err := api.call("POST", "/v1/customers/"+customer+"/erase", "dev-admin", map[string]any{"reason": "bench"}, http.StatusAccepted, nil); err != nil {
		b.Fatal(err)
	}
	for {
		var cu redress.Customer
		if err := api.call("GET", "/v1/customers/"+customer, "dev-agent", nil, http.StatusOK, &cu); err != nil {
			b.Fatal(err)
		}
		if cu.ErasedAt != nil {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatal("the erasure is not done after 5 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.ReportMetric(time.Since(start).Seconds(), "erasure-s")
}

// devAPI is the API of a `redress dev` process.
type devAPI struct{ base string }

// devProcess starts `redress dev` from binary, on ports of its own, with
// its rate limits off.
func devProcess(b *testing.B, binary string) devAPI {
	dir := b.TempDir()
	api := "127.0.0.1:" + redresstest.FreePort(b)
	redresstest.StartBinary(b, binary, []string{
		"REDRESS_DATA_DIR=" + dir,
		"TEMPORAL_ADDRESS=127.0.0.1:" + redresstest.FreePort(b),
		"REDRESS_INBOUND_SMTP_ADDR=127.0.0.1:" + redresstest.FreePort(b), "REDRESS_INBOUND_DOMAIN=redress.test",
		"REDRESS_RATE_INTAKE=0", "REDRESS_RATE_CUSTOMER=0", "REDRESS_RATE_TOKEN_MISSES=0", "REDRESS_RATE_ANALYTICS=0",
	}, "dev", "--http-addr", api, "--ui-port", "0")
	base := "http://" + api
	redresstest.WaitReady(b, base+"/readyz", 5*time.Minute)
	return devAPI{base: base}
}

func (a devAPI) call(method, path, key string, body any, want int, into any) error {
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, a.base+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
	if into != nil {
		return json.Unmarshal(got, into)
	}
	return nil
}

func (a devAPI) upload(complaintID, name string, content []byte) error {
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, _ := form.CreateFormFile("file", name)
	part.Write(content)
	form.Close()
	req, _ := http.NewRequest("POST", a.base+"/v1/complaints/"+complaintID+"/attachments", &body)
	req.Header.Set("Authorization", "Bearer dev-intake")
	req.Header.Set("Content-Type", form.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		got, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("upload: %d %s", resp.StatusCode, got)
	}
	return nil
}
