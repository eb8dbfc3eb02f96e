package k8s

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

var overlays = []string{"ru", "kz", "uz"}

// render builds an overlay as kubectl apply -k would.
func render(t *testing.T, dir string) resmap.ResMap {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	return m
}

// knownVariables are the ORDINATOR_* variables the binary reads: one per
// flag of `ordinator serve` and `ordinator migrate`, as their help lists.
func knownVariables(t *testing.T) map[string]bool {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ordinator")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ordinatorhq/ordinator/cmd/ordinator").CombinedOutput(); err != nil {
		t.Fatalf("building ordinator: %v\n%s", err, out)
	}
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)[ =]`)
	known := map[string]bool{}
	for _, cmd := range []string{"serve", "migrate"} {
		out, _ := exec.Command(bin, cmd, "-h").CombinedOutput()
		for _, m := range flagLine.FindAllStringSubmatch(string(out), -1) {
			known["ORDINATOR_"+strings.ToUpper(strings.ReplaceAll(m[1], "-", "_"))] = true
		}
	}
	if !known["ORDINATOR_DATABASE_URL"] || !known["ORDINATOR_ADDR"] {
		t.Fatalf("could not read the flags from the help: %v", known)
	}
	return known
}

type container struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	Env   []struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `json:"name"`
			} `json:"secretKeyRef"`
		} `json:"valueFrom"`
	} `json:"env"`
	StartupProbe   *struct{ GRPC any } `json:"startupProbe"`
	ReadinessProbe *struct{ GRPC any } `json:"readinessProbe"`
	LivenessProbe  *struct{ GRPC any } `json:"livenessProbe"`
	Lifecycle      *struct {
		PreStop any `json:"preStop"`
	} `json:"lifecycle"`
	Resources struct {
		Requests map[string]string `json:"requests"`
	} `json:"resources"`
}

// TestOverlays renders every country overlay and checks what a rollout
// relies on: probes on gRPC health, resources, a drain before SIGTERM, a
// disruption budget, an autoscaler, a migration Job, secrets only by
// reference, every ORDINATOR_* variable known to the binary, the country's
// region, and images pinned.
func TestOverlays(t *testing.T) {
	known := knownVariables(t)
	for _, country := range overlays {
		t.Run(country, func(t *testing.T) {
			m := render(t, filepath.Join("overlays", country))
			kinds := map[string]int{}
			config := map[string]string{}
			for _, r := range m.Resources() {
				kinds[r.GetKind()]++
				if r.GetNamespace() != "ordinator-"+country {
					t.Errorf("%s %s in namespace %q", r.GetKind(), r.GetName(), r.GetNamespace())
				}
				switch r.GetKind() {
				case "Secret":
					t.Errorf("a Secret %s is rendered: secrets are referenced, never written here", r.GetName())
				case "ConfigMap":
					data := r.GetDataMap()
					for k, v := range data {
						config[k] = v
						if !known[k] {
							t.Errorf("ConfigMap %s sets %s, which the binary does not read", r.GetName(), k)
						}
						if secretLike(k) {
							t.Errorf("ConfigMap %s carries %s in plain text", r.GetName(), k)
						}
					}
				}
			}
			for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job", "ConfigMap"} {
				if kinds[kind] != 1 {
					t.Errorf("%d %s, want 1", kinds[kind], kind)
				}
			}
			if config["ORDINATOR_COUNTRY"] != country {
				t.Errorf("ORDINATOR_COUNTRY %q, want %q", config["ORDINATOR_COUNTRY"], country)
			}
			for _, k := range []string{"ORDINATOR_S3_ENDPOINT", "ORDINATOR_FCM_CREDENTIALS", "ORDINATOR_ADDR"} {
				if config[k] == "" {
					t.Errorf("%s is not set", k)
				}
			}
			for _, r := range m.Resources() {
				if r.GetKind() != "Deployment" && r.GetKind() != "Job" {
					continue
				}
				var spec struct {
					Spec struct {
						Template struct {
							Spec struct {
								Containers []container `json:"containers"`
							} `json:"spec"`
						} `json:"template"`
					} `json:"spec"`
				}
				b, err := r.MarshalJSON()
				if err == nil {
					err = json.Unmarshal(b, &spec)
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range spec.Spec.Template.Spec.Containers {
					checkContainer(t, r.GetKind(), c, known)
				}
			}
		})
	}
}

func checkContainer(t *testing.T, kind string, c container, known map[string]bool) {
	t.Helper()
	if !pinned(c.Image) {
		t.Errorf("%s container %s: image %q is not pinned by tag or digest", kind, c.Name, c.Image)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
		t.Errorf("%s container %s requests no cpu or memory", kind, c.Name)
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e.Name, "ORDINATOR_") && !known[e.Name] {
			t.Errorf("%s container %s sets %s, which the binary does not read", kind, c.Name, e.Name)
		}
		if secretLike(e.Name) && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			t.Errorf("%s container %s: %s must come from a secretKeyRef", kind, c.Name, e.Name)
		}
	}
	if kind != "Deployment" {
		return
	}
	if c.StartupProbe == nil || c.StartupProbe.GRPC == nil || c.ReadinessProbe == nil || c.ReadinessProbe.GRPC == nil || c.LivenessProbe == nil || c.LivenessProbe.GRPC == nil {
		t.Errorf("container %s lacks a startup, readiness or liveness probe on gRPC health", c.Name)
	}
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		t.Errorf("container %s has no preStop drain", c.Name)
	}
}

// secretLike says whether a variable holds a credential: a database URL
// (the primary's, a replica's) carries its password.
func secretLike(name string) bool {
	if strings.Contains(name, "DATABASE") && strings.HasSuffix(name, "_URL") {
		return true
	}
	for _, s := range []string{"SECRET", "PASSWORD", "DATABASE_URL", "ACCESS_KEY", "TOKEN"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// pinned says whether an image names a digest or a tag other than latest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	i := strings.LastIndex(image, ":")
	return i > strings.LastIndex(image, "/") && image[i+1:] != "latest"
}

// TestOverlayList: every overlay directory is tested.
func TestOverlayList(t *testing.T) {
	entries, err := os.ReadDir("overlays")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	if strings.Join(dirs, ",") != strings.Join([]string{"kz", "ru", "uz"}, ",") {
		t.Fatalf("overlays %v, tested %v", dirs, overlays)
	}
}
