package serve

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// admission is the bounded queue in front of the worker pool. A request
// takes a slot (workers + queue of them) before its body is read, so the
// memory spent on bodies is bounded too; it then waits for a worker
// within its deadline.
type admission struct {
	slots chan struct{} // admitted: waiting or running
	busy  chan struct{} // running on a worker
	avgNs atomic.Int64  // moving average of a check's duration, for Retry-After
}

func newAdmission(workers, queue int) *admission {
	return &admission{slots: make(chan struct{}, workers+queue), busy: make(chan struct{}, workers)}
}

// admit takes a slot, or reports false at once when the queue is full.
func (a *admission) admit() bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// leave gives the slot back.
func (a *admission) leave() { <-a.slots }

// work waits for a worker until ctx ends.
func (a *admission) work(ctx context.Context) error {
	select {
	case a.busy <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done frees the worker and folds the check's duration into the average.
func (a *admission) done(d time.Duration) {
	<-a.busy
	old := a.avgNs.Load()
	if old == 0 {
		a.avgNs.Store(int64(d))
	} else {
		a.avgNs.Store(old + (int64(d)-old)/8)
	}
}

func (a *admission) queued() int  { return max(len(a.slots)-len(a.busy), 0) }
func (a *admission) running() int { return len(a.busy) }
func (a *admission) workers() int { return cap(a.busy) }

// retryAfter estimates, in whole seconds (at least 1), when a slot frees:
// the queue ahead drained by the workers at the average check time.
func (a *admission) retryAfter() int {
	avg := time.Duration(a.avgNs.Load())
	wait := avg * time.Duration(a.queued()+1) / time.Duration(a.workers())
	return max(1, int(math.Ceil(wait.Seconds())))
}
