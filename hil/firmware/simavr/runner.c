/*
 * The rover board firmware on an emulated Arduino Uno: an ATmega328P at 16 MHz (simavr) whose
 * UART0 is a pseudo-terminal (simavr's uart_pty part), paced to the wall clock so that the baud
 * rate, millis() and the dead-man behave as on a real board.
 *
 *   runner [--fast] FIRMWARE.elf
 *
 * Prints one line on stdout, `pty: /dev/pts/N` (the path to open; uart_pty also rewrites the
 * /tmp/simavr-uart0 link on every start, which concurrent runners would share: never use it),
 * then waits, the CPU halted, until the host opens the pty, so no boot output is lost. Like a
 * real Uno, whose USB serial chip resets it when the port is opened, it resets the AVR each time
 * the pty is opened again, dropping what the old firmware sent that was never read.
 * --fast runs as fast as the host allows instead of in real time.
 * SIGTERM or SIGINT ends it with status 0, and so does the end of its parent process; SIGKILL is
 * the board unplugged (the pty vanishes).
 *
 * Two corrections to simavr 1.6 make the wire behave as the real one:
 * - its UART times every byte as 11 bits (it always counts a parity bit); the hooks below re-time
 *   it to the frame the firmware configured (8N1: 10 bits, 85 us a byte at 117647 baud);
 * - uart_pty hands the host's bytes to an idle UART only on its 1 ms flush timer; a 250 us tick
 *   offers them within 0.25 ms, nearer what the Uno's USB serial chip does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_io.h"
#include "sim_time.h"
#include "uart_pty.h"

DEFINE_FIFO(uint16_t, uart_fifo); /* the UART's receive fifo, to see when it runs empty */

#define MCU "atmega328p"
#define FREQUENCY 16000000u
#define QUANTUM_US 250             /* pacing step and host-byte offer period */
#define MAX_LAG_NS 100000000ull   /* behind the wall clock by more: give up catching up */

static volatile sig_atomic_t stop_signal;
static pid_t parent; /* it ends when its parent does: no runner outlives a killed test process */
static avr_t *avr;
static avr_uart_t *uart;
static avr_irq_t *uart_xon, *uart_xoff;
static uart_pty_t pty;
static avr_cycle_count_t quantum;

static void on_signal(int sig) { stop_signal = sig; }

static void die(const char *what) {
    fprintf(stderr, "runner: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* simavr sleeps (usleep) while the AVR sleeps; the pacing below keeps time instead. */
static void no_sleep(avr_t *a, avr_cycle_count_t how_long) {
    (void)a;
    (void)how_long;
}

/* Cycles per byte on the wire as the firmware configured UART0: start, data, parity, stop. */
static void retime_uart(void) {
    static const int data_bits[8] = {5, 6, 7, 8, 8, 8, 8, 9};
    uint32_t ubrr = avr->data[uart->ubrrl.reg] | ((avr->data[uart->ubrrh.reg] & 0x0F) << 8);
    uint32_t cycles_per_bit = (ubrr + 1) * (avr_regbit_get(avr, uart->u2x) ? 8 : 16);
    int size = avr_regbit_get(avr, uart->ucsz) | avr_regbit_get(avr, uart->ucsz2) << 2;
    int parity = (avr->data[uart->r_ucsrc] >> 4) & 3 ? 1 : 0; /* UPM01:0 in UCSR0C */
    int bits = 1 + data_bits[size] + parity + 1 + avr_regbit_get(avr, uart->usbs);
    uart->cycles_per_byte = cycles_per_bit * bits;
}

static void on_ubrrl_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param) {
    (void)a, (void)addr, (void)v, (void)param;
    retime_uart(); /* runs after simavr's own baud handler */
}

static void on_ucsrc_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param) {
    (void)param;
    a->data[addr] = v; /* simavr keeps no handler here: store the value as a plain register */
    retime_uart();
}

/* Every quantum, offers the host's pending bytes to an idle UART: XOFF off, XON on, as the UART
 * itself signals when its receive fifo runs empty. (Only when empty: XOFF is edge-filtered, so
 * a fifo refilled from part-full would overrun without telling uart_pty to stop.) */
static avr_cycle_count_t offer_host_bytes(avr_t *a, avr_cycle_count_t when, void *param) {
    (void)param;
    if (avr_regbit_get(a, uart->rxen) && uart_fifo_isempty(&uart->input)) {
        avr_raise_irq(uart_xoff, 0);
        avr_raise_irq(uart_xon, 1);
    }
    return when + quantum;
}

static void start_tick(void) {
    avr_cycle_timer_cancel(avr, offer_host_bytes, NULL);
    avr_cycle_timer_register(avr, quantum, offer_host_bytes, NULL);
}

static avr_uart_t *find_uart0(void) {
    for (avr_io_t *io = avr->io_port; io; io = io->next)
        if (io->kind && !strcmp(io->kind, "uart") && ((avr_uart_t *)io)->name == '0')
            return (avr_uart_t *)io;
    return NULL;
}

static void load(const char *elf) {
    elf_firmware_t firmware;
    memset(&firmware, 0, sizeof firmware);
    if (elf_read_firmware(elf, &firmware) != 0) {
        fprintf(stderr, "runner: cannot read firmware %s\n", elf);
        exit(1);
    }
    avr = avr_make_mcu_by_name(MCU);
    if (!avr) die("no " MCU " in this simavr");
    avr_init(avr);
    avr_load_firmware(avr, &firmware);
    avr->frequency = FREQUENCY;
    avr->log = LOG_ERROR;
    avr->sleep = no_sleep;
    quantum = avr_usec_to_cycles(avr, QUANTUM_US);
}

static void connect_uart(void) {
    uart_pty_init(avr, &pty);
    if (!pty.pty.s) die("cannot create the pty");
    uart_pty_connect(&pty, '0');
    uint32_t flags = 0; /* no console echo of the bytes, no usleep when the firmware polls */
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_POLL_SLEEP | AVR_UART_FLAG_STDIO);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    /* Bytes the AVR sends while nobody reads are dropped, never block the pty thread. */
    fcntl(pty.pty.s, F_SETFL, fcntl(pty.pty.s, F_GETFL) | O_NONBLOCK);
    uart = find_uart0();
    uart_xon = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON);
    uart_xoff = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF);
    if (!uart || !uart_xon || !uart_xoff) die("no UART0 on this AVR");
    avr_register_io_write(avr, uart->ubrrl.reg, on_ubrrl_write, NULL);
    avr_register_io_write(avr, uart->r_ucsrc, on_ucsrc_write, NULL);
}

/* How many times the pty was opened since the last call (inotify IN_OPEN events). */
static int opens(int watch_fd) {
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int count = 0;
    ssize_t n;
    while ((n = read(watch_fd, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *event = (struct inotify_event *)p;
            count += (event->mask & IN_OPEN) != 0;
            p += sizeof *event + event->len;
        }
    return count;
}

/* The host opened the port again: reset, as the Uno's DTR line does. */
static void reset_board(int slave_fd) {
    tcflush(slave_fd, TCIFLUSH); /* what the old firmware sent and nobody read */
    avr_reset(avr);
    avr->state = cpu_Running;
    start_tick();
}

static int run(int paced, int watch_fd, int slave_fd) {
    struct pollfd pfd = {.fd = watch_fd, .events = POLLIN};
    uint64_t anchor_ns = now_ns();
    avr_cycle_count_t anchor_cycle = avr->cycle;
    start_tick();
    while (!stop_signal) {
        avr_cycle_count_t until = avr->cycle + quantum;
        while (avr->cycle < until) {
            int state = avr_run(avr);
            if (state == cpu_Done || state == cpu_Crashed) {
                fprintf(stderr, "runner: the AVR %s at cycle %llu (pc 0x%04x)\n",
                        state == cpu_Done ? "stopped" : "crashed", (unsigned long long)avr->cycle,
                        (unsigned)avr->pc);
                return 2;
            }
        }
        uint64_t wait_ns = 0;
        if (paced) {
            uint64_t sim_ns =
                (uint64_t)((avr->cycle - anchor_cycle) * 1000000000.0 / avr->frequency);
            uint64_t wall_ns = now_ns() - anchor_ns;
            if (sim_ns > wall_ns) {
                wait_ns = sim_ns - wall_ns;
            } else if (wall_ns - sim_ns > MAX_LAG_NS) { /* the host stalled: carry on from here */
                anchor_ns = now_ns();
                anchor_cycle = avr->cycle;
            }
        }
        struct timespec ts = {(time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull)};
        if (ppoll(&pfd, 1, &ts, NULL) > 0 && opens(watch_fd) > 0) reset_board(slave_fd);
        if (getppid() != parent) break;
    }
    return 0;
}

int main(int argc, char **argv) {
    int paced = 1;
    const char *elf = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fast"))
            paced = 0;
        else if (argv[i][0] != '-' && !elf)
            elf = argv[i];
        else {
            fprintf(stderr, "usage: %s [--fast] FIRMWARE.elf\n", argv[0]);
            return 2;
        }
    }
    if (!elf) {
        fprintf(stderr, "usage: %s [--fast] FIRMWARE.elf\n", argv[0]);
        return 2;
    }
    parent = getppid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits end at once */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1000UL); /* wake within 1 us of the pacing deadline, not 50 */

    /* stdout carries the one pty line; simavr's own chatter goes to stderr. */
    fflush(stdout);
    int out_fd = dup(STDOUT_FILENO);
    if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) die("dup");
    load(elf);
    connect_uart();
    fflush(stdout);

    /* Our own slave fd (opened before the watch, so it is not counted): flushes on reset. */
    int slave_fd = open(pty.pty.slavename, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (slave_fd < 0) die(pty.pty.slavename);
    int watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watch_fd < 0 || inotify_add_watch(watch_fd, pty.pty.slavename, IN_OPEN) < 0)
        die("inotify on the pty");

    if (dprintf(out_fd, "pty: %s\n", pty.pty.slavename) < 0) die("stdout");
    close(out_fd);

    struct pollfd pfd = {.fd = watch_fd, .events = POLLIN};
    int opened = 0;
    while (!stop_signal && !opened && getppid() == parent) /* halted until the port is opened */
        if (poll(&pfd, 1, 100) > 0) opened = opens(watch_fd) > 0;
    int status = opened ? run(paced, watch_fd, slave_fd) : 0;
    /* uart_pty_stop() could wait forever on a host that stopped reading; the process exit
     * closes the pty and ends its thread. */
    return status;
}
