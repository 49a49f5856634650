package game

import (
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

// filterQuery selects the events with signature topic sig of game id
// (its first indexed argument) from block from on.
func filterQuery(addr common.Address, sig common.Hash, id *big.Int, from uint64) ethereum.FilterQuery {
	return ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from),
		Addresses: []common.Address{addr},
		Topics:    [][]common.Hash{{sig}, {common.BigToHash(id)}},
	}
}
