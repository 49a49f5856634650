package evm

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestProbe(t *testing.T) {
	e := New()
	c, err := e.Deploy("EVMProbe")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]byte{{1}, bytes.Repeat([]byte{0xab}, 100)} {
		out, res, err := c.Call("hash", in)
		if err != nil {
			t.Fatal(err)
		}
		got := out[0].([32]byte)
		if want := crypto.Keccak256Hash(in); got != want {
			t.Errorf("hash(%x) = %x, want %x", in, got, want)
		}
		if res.ExecGas == 0 || res.TxGas < res.ExecGas+21000 {
			t.Errorf("gas: exec %d tx %d", res.ExecGas, res.TxGas)
		}
	}
	_, _, err = c.Call("hash", []byte{})
	var rev *RevertError
	if !errors.As(err, &rev) || rev.Reason != "EmptyInput[7]" {
		t.Errorf("empty input: %v, want revert EmptyInput[7]", err)
	}
	_, _, err = c.Call("fail", "no way")
	if !errors.As(err, &rev) || rev.Reason != "no way" {
		t.Errorf("fail: %v, want revert no way", err)
	}
}
