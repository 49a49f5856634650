package onchain

import (
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// The compiled contracts, one JSON file per contract, written by
// scripts/build.sh from contracts/*.sol (solc pinned in
// scripts/package.json). Committed, so nothing here needs a compiler.
//
//go:embed build/*.json
var buildFS embed.FS

// Artifact is one compiled contract.
type Artifact struct {
	Name        string          `json:"contract"`
	Source      string          `json:"source"` // e.g. "contracts/OneStepVerifier.sol"
	ABI         json.RawMessage `json:"abi"`
	Bytecode    string          `json:"bytecode"`         // creation code, 0x-hex
	Deployed    string          `json:"deployedBytecode"` // runtime code, 0x-hex
	SolcVersion string          `json:"solcVersion"`
}

// LoadArtifact returns the compiled contract called name.
func LoadArtifact(name string) (*Artifact, error) {
	b, err := buildFS.ReadFile("build/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("contract %s: not in build/ (run scripts/build.sh)", name)
	}
	var a Artifact
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("build/%s.json: %w", name, err)
	}
	return &a, nil
}

// CreationCode returns the contract's creation bytecode.
func (a *Artifact) CreationCode() ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(a.Bytecode, "0x"))
	if err != nil {
		return nil, fmt.Errorf("contract %s: bytecode: %w", a.Name, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("contract %s: no bytecode (an interface or an abstract contract)", a.Name)
	}
	return b, nil
}
