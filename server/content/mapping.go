package content

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mapping says how the regions and specialties that items of another
// country stack target become this stack's, when a bundle is imported. It
// is explicit: a region or specialty it does not name is refused, so no
// item lands on phones nobody chose. A code mapped to an empty list is
// dropped on purpose; an item left with no region or no specialty is not
// imported.
//
// Its file is YAML (or JSON):
//
//	regions:
//	  msk: [ala, ast]   # Moscow's content goes to Almaty and Astana
//	  spb: ala
//	  kzn: []           # Kazan's stays out
//	specialties:
//	  dermatology: dermatology
//	  cosmetology: [cosmetology, dermatology]
type Mapping struct {
	Regions     map[string]codes `yaml:"regions"`
	Specialties map[string]codes `yaml:"specialties"`
}

// codes is one code or a list of them.
type codes []string

func (c *codes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = codes{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return fmt.Errorf("line %d: want a code or a list of codes", n.Line)
	}
	*c = list
	return nil
}

// ParseMapping reads a mapping file.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("the mapping is not YAML with regions and specialties: %w", err)
	}
	for what, table := range map[string]map[string]codes{"regions": m.Regions, "specialties": m.Specialties} {
		for from, to := range table {
			for _, c := range to {
				if strings.TrimSpace(c) == "" {
					return nil, fmt.Errorf("the mapping's %s: %s maps to an empty code", what, from)
				}
			}
		}
	}
	return &m, nil
}

// mapCodes maps codes through table, sorted and without duplicates; it
// returns the codes the table does not name.
func mapCodes(table map[string]codes, in []string) (out, unmapped []string) {
	for _, c := range in {
		to, ok := table[c]
		if !ok {
			unmapped = append(unmapped, c)
			continue
		}
		out = append(out, to...)
	}
	slices.Sort(out)
	return slices.Compact(out), unmapped
}
