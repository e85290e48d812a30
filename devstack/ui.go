package devstack

import (
	"fmt"
	"net/http"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// WebUI is the Temporal Web UI, served from the ui-server module's
// embedded assets.
type WebUI struct {
	server *uiserver.Server
	url    string
}

// StartWebUI serves the UI on the port, talking to the Temporal frontend
// and decoding payloads through the codec endpoint.
func StartWebUI(temporalAddress, namespace string, port int, codecEndpoint string) *WebUI {
	cfg := &uiconfig.Config{
		Host:                "127.0.0.1",
		Port:                port,
		TemporalGRPCAddress: temporalAddress,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		HideLogs:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		DisableNewsFetch:    true,
		// The browser sends the codec session of a supervisor signed in at
		// /codec/sign-in; the codec endpoint decodes for nobody else.
		Codec: uiconfig.Codec{Endpoint: codecEndpoint, IncludeCredentials: true,
			DefaultErrorMessage: "Customers' data is encrypted; supervisors and admins sign in to see it",
			DefaultErrorLink:    codecEndpoint + "/sign-in"},
	}
	// localhost, like the API's default public URL, so the two are one site
	// and the browser sends the codec session with the UI's requests.
	ui := &WebUI{server: uiserver.NewServer(server_options.WithConfigProvider(cfg)),
		url: fmt.Sprintf("http://localhost:%d", port)}
	go func() {
		if err := ui.server.Start(); err != nil && err != http.ErrServerClosed {
			fmt.Println("web ui:", err)
		}
	}()
	return ui
}

// URL is where people open the UI.
func (u *WebUI) URL() string { return u.url }

// Stop closes the UI server.
func (u *WebUI) Stop() { u.server.Stop() }
