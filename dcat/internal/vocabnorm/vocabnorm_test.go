package vocabnorm

import "testing"

func TestLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Usage  des\tsols ", "usage des sols"},
		{"Répartition de la population — démographie", "répartition de la population - démographie"},
		{"Services d’utilité publique", "services d'utilité publique"},
		{"Re\u0301partition", "répartition"}, // NFD input
		{"", ""},
	}
	for _, tt := range tests {
		if got := Label(tt.in); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
