package kubernetes_test

import (
	"crypto/rand"
	"encoding/base64"
	"flag"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// redressVariables are the environment variables redress reads, taken from
// its one config loader so that a renamed or invented variable fails here.
func redressVariables(t *testing.T) map[string]bool {
	t.Helper()
	read := regexp.MustCompile(`\b(?:os\.Getenv|env)\("([A-Z][A-Z0-9_]*)"`)
	names := map[string]bool{}
	for _, file := range []string{"../../config/config.go", "../../config/ratelimit.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
	}
	if !names["DATABASE_URL"] || !names["REDRESS_TOKEN_SECRET"] {
		t.Fatalf("found only %v in config/; has the loader changed shape?", names)
	}
	return names
}

// containerEnv gives the variables a container gets, with the ConfigMap
// values it takes through envFrom, and checks that every Secret and
// ConfigMap it names exists with the key it wants.
func containerEnv(t *testing.T, m *manifests, owner string, c corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil || from.Prefix != "" {
			t.Errorf("%s: envFrom %+v; want a ConfigMap without prefix", owner, from)
			continue
		}
		cm := m.configMap(from.ConfigMapRef.Name)
		if cm == nil {
			t.Errorf("%s: envFrom ConfigMap %q does not exist", owner, from.ConfigMapRef.Name)
			continue
		}
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom == nil {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref == nil {
			t.Errorf("%s: %s comes from neither a value nor a Secret", owner, e.Name)
			continue
		}
		s := m.secret(ref.Name)
		if s == nil {
			t.Errorf("%s: %s comes from Secret %q, which does not exist", owner, e.Name, ref.Name)
			continue
		}
		if _, ok := s.StringData[ref.Key]; !ok && (ref.Optional == nil || !*ref.Optional) {
			t.Errorf("%s: %s comes from key %q, which Secret %s lacks", owner, e.Name, ref.Key, ref.Name)
		}
		env[e.Name] = s.StringData[ref.Key]
	}
	return env
}

func (m *manifests) configMap(name string) *corev1.ConfigMap {
	for _, cm := range m.configMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func (m *manifests) secret(name string) *corev1.Secret {
	for _, s := range m.secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// containers lists every container with the pod it runs in.
func (m *manifests) containers() map[string]corev1.PodSpec {
	pods := map[string]corev1.PodSpec{}
	for _, d := range m.deployments {
		pods[d.Name] = d.Spec.Template.Spec
	}
	for _, j := range m.jobs {
		pods[j.Name] = j.Spec.Template.Spec
	}
	return pods
}

// Every variable a container gets is one redress reads, and each command
// gets the secrets it refuses to start without.
func TestContainersGetVariablesRedressReads(t *testing.T) {
	m := load(t)
	known := redressVariables(t)
	want := map[string][]string{
		"redress-api":     {"DATABASE_URL", "REDRESS_API_KEYS", "REDRESS_TOKEN_SECRET", "REDRESS_PAYLOAD_KEYS", "REDRESS_DATA_KEYS", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "REDRESS_PUBLIC_URL", "REDRESS_POLICY", "REDRESS_CODEC_ORIGINS"},
		"redress-worker":  {"DATABASE_URL", "REDRESS_TOKEN_SECRET", "REDRESS_PAYLOAD_KEYS", "REDRESS_DATA_KEYS", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "REDRESS_PUBLIC_URL", "REDRESS_POLICY", "REDRESS_RETENTION"},
		"redress-migrate": {"DATABASE_URL"},
	}
	for owner, pod := range m.containers() {
		for _, c := range pod.Containers {
			env := containerEnv(t, m, owner, c)
			for name := range env {
				if !known[name] {
					t.Errorf("%s: %s is not a variable redress reads (config/config.go)", owner, name)
				}
			}
			for _, name := range want[owner] {
				if _, ok := env[name]; !ok {
					t.Errorf("%s gets no %s", owner, name)
				}
			}
		}
	}
	for _, s := range m.secrets {
		for key := range s.StringData {
			if !known[key] {
				t.Errorf("Secret %s holds %s, which redress does not read", s.Name, key)
			}
		}
	}
}

// The settings are ones redress starts with: the loader accepts the
// ConfigMap's values and the policy file mounted where REDRESS_POLICY says.
func TestConfigMapIsAConfigurationRedressAccepts(t *testing.T) {
	m := load(t)
	for owner, pod := range m.containers() {
		for _, c := range pod.Containers {
			env := containerEnv(t, m, owner, c)
			file, ok := env["REDRESS_POLICY"]
			if !ok {
				continue
			}
			policy, found := mountedFile(m, pod, c, file)
			if !found {
				t.Errorf("%s: REDRESS_POLICY is %s, which no ConfigMap mounted in the container holds", owner, file)
				continue
			}
			if _, err := redress.ParsePolicy([]byte(policy)); err != nil {
				t.Errorf("%s: the mounted policy: %v", owner, err)
			}
			local := filepath.Join(t.TempDir(), "policy.yaml")
			if err := os.WriteFile(local, []byte(policy), 0o600); err != nil {
				t.Fatal(err)
			}
			env["REDRESS_POLICY"] = local
			for name, value := range env {
				t.Setenv(name, value)
			}
			cfg := config.Flags(flag.NewFlagSet(owner, flag.ContinueOnError))
			if err := cfg.Finish(); err != nil {
				t.Errorf("%s: redress refuses the configuration: %v", owner, err)
			}
			if cfg.HTTPAddr != ":8080" {
				t.Errorf("%s: the API listens on %s; the probes and the Service expect :8080", owner, cfg.HTTPAddr)
			}
			// Behind the ingress every request comes from a pod address;
			// without trusted proxies the per-address limits would be one
			// limit for all.
			if len(cfg.Proxies) == 0 || !slices.ContainsFunc(cfg.Proxies, func(n *net.IPNet) bool { return n.Contains(net.ParseIP("10.244.1.7")) }) {
				t.Errorf("%s: trusts the proxies %v; want the pod network's ingress trusted", owner, cfg.Proxies)
			}
		}
	}
}

// mountedFile finds the ConfigMap key a container sees at file.
func mountedFile(m *manifests, pod corev1.PodSpec, c corev1.Container, file string) (string, bool) {
	for _, mount := range c.VolumeMounts {
		if mount.MountPath != path.Dir(file) {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name != mount.Name || v.ConfigMap == nil {
				continue
			}
			if cm := m.configMap(v.ConfigMap.Name); cm != nil {
				data, ok := cm.Data[path.Base(file)]
				return data, ok
			}
		}
	}
	return "", false
}

// The Secret holds examples only, and each example on its own stops the
// command that checks it, naming the variable: deploying the manifests
// unedited fails at once instead of running with known secrets.
func TestSecretHoldsNoWorkingValue(t *testing.T) {
	m := load(t)
	if len(m.secrets) != 1 {
		t.Fatalf("%d Secrets; want one", len(m.secrets))
	}
	examples := m.secrets[0].StringData
	for key, value := range examples {
		if !strings.Contains(strings.ToLower(value), "change-me") {
			t.Errorf("Secret %s: %s holds no change-me marker, so it may be a working secret", m.secrets[0].Name, key)
		}
	}
	good := func() *config.Config {
		c := &config.Config{TokenSecret: random(t, 32), PayloadKeys: "k1:" + random(t, 32), DataKeys: "kek1:" + random(t, 32)}
		c.Keys = []config.APIKey{{Name: "crm", Role: config.RoleIntake, Secret: random(t, 24)}}
		return c
	}
	if err := good().RequireAPISecrets(); err != nil {
		t.Fatalf("real secrets refused: %v", err)
	}
	for variable, use := range map[string]func(*config.Config, string){
		"REDRESS_API_KEYS": func(c *config.Config, v string) {
			keys, err := config.ParseKeys(v)
			if err != nil {
				t.Fatalf("REDRESS_API_KEYS example does not parse, so it explains nothing: %v", err)
			}
			c.Keys = keys
		},
		"REDRESS_TOKEN_SECRET": func(c *config.Config, v string) { c.TokenSecret = v },
		"REDRESS_PAYLOAD_KEYS": func(c *config.Config, v string) { c.PayloadKeys = v },
		"REDRESS_DATA_KEYS":    func(c *config.Config, v string) { c.DataKeys = v },
	} {
		c := good()
		use(c, examples[variable])
		err := c.RequireAPISecrets()
		if err == nil || !strings.Contains(err.Error(), variable) {
			t.Errorf("redress api starts with the example %s (error %v)", variable, err)
		}
		if variable == "REDRESS_API_KEYS" {
			continue
		}
		if err := c.RequireWorkerSecrets(); err == nil || !strings.Contains(err.Error(), variable) {
			t.Errorf("redress worker starts with the example %s (error %v)", variable, err)
		}
	}
}

func random(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
