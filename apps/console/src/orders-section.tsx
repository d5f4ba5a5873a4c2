// The player's orders and the pushes that came for each: refund one, or deliver one whose push never completed.
import { ActionForm } from './action-form.js';
import { api } from './api.js';
import { text, time, times, yuan } from './format.js';
import { mayDo } from './roles.js';
import { Lines, Section, Table, type PlayerSectionProps } from './section.js';

export function OrdersSection({ player, role, reload }: PlayerSectionProps) {
  return (
    <Section title="Orders">
      <Table head={['Order', 'Game', 'Product', 'Quantity', 'Total', 'Status', 'Times', 'Pushes', 'Actions']} empty="No order.">
        {player.orders.map((order) => (
          <tr key={order.outTradeNo}>
            <td class="mono">{order.outTradeNo}</td>
            <td class="mono">{order.appid}</td>
            <td>{order.productId}</td>
            <td class="number">{order.quantity}</td>
            <td class="number">{yuan(order.totalPrice)}</td>
            <td>{order.status}</td>
            <td>
              <Lines lines={times({ created: order.createdAt, delivered: order.deliveredAt, refunded: order.refundedAt })} />
            </td>
            <td class="wrap">
              <Lines lines={order.pushes.map((push) => `${push.event} ${time(push.receivedAt)}: ${text(push.outcome)}`)} />
            </td>
            <td>
              {order.status === 'created' ? (
                <ActionForm
                  inline
                  name={`Retry delivery of order ${order.outTradeNo}`}
                  button="Retry delivery"
                  allowed={mayDo(role, 'retryOrder')}
                  success={`Delivered order ${order.outTradeNo}.`}
                  perform={(reason) => api.actions.retryOrder.mutate({ outTradeNo: order.outTradeNo, reason })}
                  onDone={reload}
                />
              ) : null}
              {order.status === 'refunded' ? null : (
                <ActionForm
                  inline
                  name={`Refund order ${order.outTradeNo}`}
                  button="Refund"
                  danger
                  allowed={mayDo(role, 'refundOrder')}
                  success={`Refunded order ${order.outTradeNo}.`}
                  perform={(reason) => api.actions.refundOrder.mutate({ outTradeNo: order.outTradeNo, reason })}
                  onDone={reload}
                />
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
