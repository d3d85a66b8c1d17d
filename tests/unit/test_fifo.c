/* The intrusive first-in, first-out list of the event and post queues. */
#include "sc_test.h"
#include "fifo.h"

typedef struct item {
    int value;
    sc_fifo_link link;   /* not first: the item is found from its link by offset */
} item;

static int pop_value(sc_fifo *q)
{
    sc_fifo_link *l = sc_fifo_pop(q);
    return l ? SC_FIFO_ITEM(l, item, link)->value : -1;
}

static void empty_pops_nothing(void)
{
    sc_fifo q = { 0 };
    CHECK(sc_fifo_pop(&q) == NULL);
    CHECK_EQ_INT(q.length, 0);
    CHECK(q.head == NULL && q.tail == NULL);
}

static void items_come_out_in_order(void)
{
    sc_fifo q = { 0 };
    item it[5];
    for (int i = 0; i < 5; i++) {
        it[i].value = i;
        sc_fifo_push(&q, &it[i].link);
    }
    CHECK_EQ_INT(q.length, 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(pop_value(&q), i);
    CHECK_EQ_INT(q.length, 0);
    CHECK_EQ_INT(pop_value(&q), -1);
    CHECK(q.tail == NULL);
}

static void pushes_after_emptying_and_interleaved(void)
{
    sc_fifo q = { 0 };
    item a = { .value = 1 }, b = { .value = 2 }, c = { .value = 3 };
    sc_fifo_push(&q, &a.link);
    CHECK_EQ_INT(pop_value(&q), 1);
    /* emptied: the next push is the head again */
    sc_fifo_push(&q, &b.link);
    sc_fifo_push(&q, &c.link);
    CHECK_EQ_INT(pop_value(&q), 2);
    /* an item popped may go in again, behind the others */
    sc_fifo_push(&q, &a.link);
    CHECK_EQ_INT(pop_value(&q), 3);
    CHECK_EQ_INT(pop_value(&q), 1);
    CHECK_EQ_INT(q.length, 0);
    CHECK(a.link.next == NULL);
}

SC_TEST_MAIN(TEST(empty_pops_nothing), TEST(items_come_out_in_order), TEST(pushes_after_emptying_and_interleaved))
