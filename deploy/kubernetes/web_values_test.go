package kubernetes_test

import (
	"os"
	"regexp"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The Web UI values for Temporal's Helm chart sign people in through OIDC,
// only read (no terminate, reset or signal that would bypass Redress), run
// the Web UI release whose Go module the tests run, and decode payloads
// through Redress's codec endpoint with the browser's session.
func TestWebUIValuesSignInAndOnlyRead(t *testing.T) {
	raw, err := os.ReadFile("../temporal/web-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Web struct {
			Image struct {
				Tag string `json:"tag"`
			} `json:"image"`
			Service struct {
				Type corev1.ServiceType `json:"type"`
			} `json:"service"`
			AdditionalEnvSecretName string          `json:"additionalEnvSecretName"`
			AdditionalEnv           []corev1.EnvVar `json:"additionalEnv"`
		} `json:"web"`
	}
	if err := yaml.UnmarshalStrict(raw, &values); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, e := range values.Web.AdditionalEnv {
		env[e.Name] = e.Value
	}
	for name, want := range map[string]string{"TEMPORAL_DISABLE_WRITE_ACTIONS": "true", "TEMPORAL_AUTH_ENABLED": "true",
		"TEMPORAL_CODEC_INCLUDE_CREDENTIALS": "true"} {
		if env[name] != want {
			t.Errorf("%s is %q; want %q", name, env[name], want)
		}
	}
	for _, name := range []string{"TEMPORAL_AUTH_PROVIDER_URL", "TEMPORAL_AUTH_CALLBACK_URL", "TEMPORAL_CODEC_ENDPOINT"} {
		if env[name] == "" {
			t.Errorf("%s is not set", name)
		}
	}
	if values.Web.AdditionalEnvSecretName == "" || values.Web.Service.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("the client secret comes from %q, the service is %q; want a Secret and a ClusterIP", values.Web.AdditionalEnvSecretName, values.Web.Service.Type)
	}
	goMod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^\s*github.com/temporalio/ui-server/v2 v(\S+)$`).FindSubmatch(goMod); m == nil || string(m[1]) != values.Web.Image.Tag {
		t.Errorf("the Web UI image is %s; go.mod requires ui-server %s", values.Web.Image.Tag, m)
	}
}
